package dev.keep.api.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Which URLs a webhook may point at, checked when it is registered or changed and again before
 * every attempt, since what a name resolves to can change (server-side request forgery, the
 * Standard Webhooks specification's "SSRF" section).
 *
 * <p>In {@link Mode#AWS AWS mode} a URL is {@code https} and every address its host resolves to is
 * public: not loopback, private (RFC 1918, RFC 4193), link-local (which holds the instance metadata
 * service at 169.254.169.254 and fd00:ec2::254's neighbourhood), carrier-grade NAT (RFC 6598),
 * multicast, unspecified, reserved, or an IPv6 form of one of those (IPv4-mapped, NAT64). In {@link
 * Mode#LOCAL local mode} {@code http} is allowed as well, for a loopback host only ({@code
 * localhost}, 127.0.0.0/8, ::1), and other hosts follow the AWS rules.
 *
 * <p>What remains: the JDK's HTTP client resolves the name again when it connects. The JVM caches a
 * successful look-up for 30 s by default, so the check and the connection see the same answer
 * unless the cache expires in between; a name whose answer flips within that window could still
 * reach a private address. A deployment that needs more puts the sender Lambda in a subnet with no
 * route to anything private (the specification's second advice).
 */
public final class EndpointRules {
  public enum Mode { AWS, LOCAL }

  /** A URL or address refused, with the rule it broke. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    public Refused(String rule) {
      super(rule, null, false, false);
    }
  }

  /** How a host's name becomes addresses; tests give their own. */
  public interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;

    Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
  }

  private final Mode mode;
  private final Resolver resolver;

  public EndpointRules(Mode mode, Resolver resolver) {
    this.mode = mode;
    this.resolver = resolver;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * The URL's form, then where its host points now.
   *
   * @throws Refused naming the rule
   */
  public URI check(String url) throws Refused {
    URI uri = parse(url);
    checkAddresses(uri);
    return uri;
  }

  /** The URL's form only: scheme, host, no user info, no fragment. */
  public URI parse(String url) throws Refused {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Refused("is not a URL: " + e.getReason());
    }
    if (!uri.isAbsolute() || uri.isOpaque()) {
      throw new Refused("must be an absolute https URL");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new Refused("must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new Refused("must not carry user information (user:password@)");
    }
    if (uri.getRawFragment() != null) {
      throw new Refused("must not have a fragment (#...)");
    }
    if (scheme.equals("https")) {
      return uri;
    }
    if (scheme.equals("http") && mode == Mode.LOCAL && isLoopbackName(host)) {
      return uri;
    }
    throw new Refused(mode == Mode.LOCAL
        ? "must be https, or http to a loopback host (localhost, 127.0.0.1, [::1]) in local mode"
        : "must be https");
  }

  /** Every address the host resolves to must be allowed (see the class comment). */
  public void checkAddresses(URI uri) throws Refused {
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      throw new Refused("host does not resolve");
    }
    if (addresses.isEmpty()) {
      throw new Refused("host does not resolve");
    }
    boolean loopbackAllowed = mode == Mode.LOCAL && isLoopbackName(uri.getHost());
    for (InetAddress address : addresses) {
      if (loopbackAllowed && address.isLoopbackAddress()) {
        continue;
      }
      String why = notPublic(address);
      if (why != null) {
        throw new Refused("resolves to " + address.getHostAddress() + ", " + why
            + "; a webhook must reach a public address");
      }
    }
  }

  private static boolean isLoopbackName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.matches("127(\\.[0-9]{1,3}){3}");
  }

  /** Why {@code address} is not a public unicast address, or null if it is. */
  static String notPublic(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      // IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d carry an IPv4 address: judge that.
      boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
          && isZero(b, 4, 8);
      if (mapped || nat64) {
        try {
          return notPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          return "unreadable";
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "a unique local address (fc00::/7, RFC 4193)";
      }
    }
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local (the instance metadata service lives there)";
    }
    if (address.isSiteLocalAddress()) {
      return "private (RFC 1918)";
    }
    if (address.isMulticastAddress()) {
      return "multicast";
    }
    if (address instanceof Inet4Address v4) {
      byte[] b = v4.getAddress();
      int a0 = b[0] & 0xff;
      int a1 = b[1] & 0xff;
      if (a0 == 0) {
        return "in 0.0.0.0/8 (this network)";
      }
      if (a0 == 100 && a1 >= 64 && a1 <= 127) {
        return "carrier-grade NAT (100.64.0.0/10, RFC 6598)";
      }
      if (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) {
        return "IETF protocol assignments (192.0.0.0/24)";
      }
      if (a0 == 198 && (a1 == 18 || a1 == 19)) {
        return "benchmarking (198.18.0.0/15)";
      }
      if (a0 >= 240) {
        return "reserved (240.0.0.0/4)";
      }
    }
    return null;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
