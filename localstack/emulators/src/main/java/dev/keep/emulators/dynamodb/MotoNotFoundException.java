package dev.keep.emulators.dynamodb;

/**
 * moto_server is not installed where Keep looks (see {@link MotoExecutable}), or cannot be
 * installed. The message says what is missing and ends with the one command that installs it.
 */
public final class MotoNotFoundException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final String installCommand;

  public MotoNotFoundException(String what, String installCommand) {
    super(what + (what.contains("\n") ? "\n" : ". ") + "Install it with: " + installCommand);
    this.what = what;
    this.installCommand = installCommand;
  }

  /** What is missing or what failed, without the install command. */
  public String what() {
    return what;
  }

  /** The shell command that installs moto where {@link MotoExecutable#find} looks. */
  public String installCommand() {
    return installCommand;
  }
}
