package dev.keep.schema.api;

/**
 * The result of a signed message job: a BIP-340 signature over {@code digest} by the x-only
 * {@code publicKey}. {@code digest} is the tagged hash of the message, given so a verifier need
 * not recompute it (but should).
 */
public record SignatureResult(String signature, String publicKey, String digest) {}
