package dev.keep.schema.protocol;

import java.util.List;

/** One instance of every protocol type, with fixed values, for round-trip and golden tests. */
final class ProtocolSamples {
  static final String KEY = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
  static final String DIGEST = "243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89";
  static final String SIG =
      "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0";

  static final List<EnclaveRequest> REQUESTS = List.of(
      new EnclaveRequest.Health(),
      new EnclaveRequest.GenerateKey("treasury-1"),
      new EnclaveRequest.GetPublicKey("treasury-1"),
      new EnclaveRequest.ListKeys(),
      new EnclaveRequest.SignMessage("0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c4d", "treasury-1", "68656c6c6f"));

  static final List<EnclaveResponse> RESPONSES = List.of(
      new EnclaveResponse.HealthStatus("ok", "local", 2),
      new EnclaveResponse.KeyInfo("treasury-1", KEY),
      new EnclaveResponse.KeyList(List.of(new EnclaveResponse.KeyInfo("treasury-1", KEY))),
      new EnclaveResponse.MessageSigned("0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c4d", "treasury-1", DIGEST, SIG, KEY),
      new EnclaveResponse.Error(ErrorCode.KEY_NOT_FOUND, "keyId: this enclave holds no key named 'x'"));

  private ProtocolSamples() {}
}
