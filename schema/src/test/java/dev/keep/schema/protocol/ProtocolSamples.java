package dev.keep.schema.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Json;
import java.util.List;

/** One instance of every protocol type, with fixed values, for round-trip and golden tests. */
final class ProtocolSamples {
  static final String JOB = "0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c4d";
  static final String XONLY = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
  static final String COMPRESSED = "02" + XONLY;
  static final String DIGEST = "243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89";
  static final String SIG =
      "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0";
  static final String DER =
      "3044022043ca2b4b2a4fb2b4e4b1e2bd2c8c5b1ad1a0d1b0f5a1e2b3c4d5e6f708192a3b022056f1b0c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6";
  static final String NPUB = "npub1lycg5qvjtrp3qjf5f7zlp8x298dnrjz9smuenvyxq8c380srxmusyxlmny";
  static final String TPUB =
      "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M";
  static final JsonNode UNSIGNED_EVENT = event(
      "{\"pubkey\":\"" + XONLY + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[[\"t\",\"keep\"]],\"content\":\"hello\"}");
  static final JsonNode SIGNED_EVENT = event(
      "{\"id\":\"" + DIGEST + "\",\"pubkey\":\"" + XONLY + "\",\"created_at\":1700000000,\"kind\":1,"
          + "\"tags\":[[\"t\",\"keep\"]],\"content\":\"hello\",\"sig\":\"" + SIG + "\"}");
  /** BIP-174's valid vector "PSBT with 0 inputs". */
  static final String PSBT =
      "cHNidP8BAEwCAAAAAALT3/UFAAAAABl2qRTQxZkDxbrChodg6Q/VIaRmWqdlIIisAOH1BQAAAAAXqRQ1RebjO4MsRwUPJNPuuTycA5SLx4ezLhMAAAAA";
  /** A policy as an operator wrote it: requests carry the text, answers the parsed document. */
  static final String POLICY =
      "{\"version\": 3, \"rule\": {\"id\": \"max-tx\", \"type\": \"max_amount\", \"sats\": 1000000}}\n";
  static final JsonNode POLICY_DOCUMENT = event(POLICY);
  static final EnclaveRequest.KeySpec HD_TESTNET = new EnclaveRequest.KeySpec("hd", "testnet", false);
  static final EnclaveResponse.KeyInfo KEY_INFO =
      new EnclaveResponse.KeyInfo("treasury-1", EnclaveRequest.KeySpec.DEFAULT, false, null, COMPRESSED, XONLY, NPUB, null);

  static final String ARN = "arn:aws:kms:us-east-1:000000000000:key/5f0c9e39-2d9b-4a3c-8a4e-0f1b2c3d4e5f";
  static final DataKeyEnvelope DATA_KEY = new DataKeyEnvelope(ARN, "AQIDBAUGBwgJCgsMDQ4PEA==", "MIAGCSqGSIb3DQEHA6CAMIACAQA=");
  static final SealedBlob SEALED_KEY = new SealedBlob(1, "key", "treasury-1", "tenant-a", 0, ARN,
      "AQIDBAUGBwgJCgsMDQ4PEA==", "AAECAwQFBgcICQoL", "c2VhbGVkIGtleSBtYXRlcmlhbCBhbmQgdGFn");
  static final SealedBlob SEALED_STATE = new SealedBlob(1, "state", "treasury-1", "tenant-a", 7, ARN,
      "AQIDBAUGBwgJCgsMDQ4PEA==", "DA0ODxAREhMUFRYX", "c2VhbGVkIHBvbGljeSBzdGF0ZSBhbmQgdGFn");

  static final List<EnclaveRequest> REQUESTS = List.of(
      new EnclaveRequest.Health(),
      new EnclaveRequest.GenerateKey("treasury-1", HD_TESTNET),
      new EnclaveRequest.ImportKey("imported", EnclaveRequest.KeySpec.DEFAULT, "0000000000000000000000000000000000000000000000000000000000000003"),
      new EnclaveRequest.GetPublicKey("treasury-1", "m/86'/1'/0'"),
      new EnclaveRequest.ListKeys(),
      new EnclaveRequest.DisableKey("treasury-1"),
      new EnclaveRequest.SignMessage(JOB, "treasury-1", "68656c6c6f", "bip340", null),
      new EnclaveRequest.SignEvent(JOB, "treasury-1", UNSIGNED_EVENT, null),
      new EnclaveRequest.SignDigest(JOB, "treasury-1", DIGEST, "ecdsa", "m/84'/1'/0'/0/7"),
      new EnclaveRequest.SignPsbt(JOB, "treasury-1", PSBT, "testnet", true),
      new EnclaveRequest.SignPsbt(JOB, "treasury-1", PSBT, "testnet", false).withMaxAnswerBytes(376_832),
      new EnclaveRequest.GenerateKey("treasury-2", HD_TESTNET, POLICY),
      new EnclaveRequest.SignMessage(JOB, "treasury-1", "68656c6c6f", "bip340", null,
          List.of(new EnclaveRequest.Approval("alice", SIG))),
      new EnclaveRequest.SetPolicy("treasury-1", POLICY, List.of(new EnclaveRequest.Approval("ops1", SIG))),
      new EnclaveRequest.GenerateKey("treasury-3", HD_TESTNET, POLICY).sealedWith("tenant-a", DATA_KEY),
      new EnclaveRequest.ImportKey("imported-2", EnclaveRequest.KeySpec.DEFAULT, null, "MIAGCSqGSIb3DQEHA6CAMIACAQA=",
          null, "tenant-a", DATA_KEY),
      new EnclaveRequest.Attest("00112233445566778899aabbccddeeff"),
      new EnclaveRequest.UnsealKey("treasury-1", SEALED_KEY, SEALED_STATE, "MIAGCSqGSIb3DQEHA6CAMIACAQA="),
      new EnclaveRequest.GetPolicy("treasury-1"),
      new EnclaveRequest.EvaluatePolicy(new EnclaveRequest.SignPsbt(JOB, "treasury-1", PSBT, "testnet", false)),
      new EnclaveRequest.AuditBoot(),
      new EnclaveRequest.AuditCheckpoints(false),
      new EnclaveRequest.AuditReceipts("tenant-a", 7, 9));

  static final dev.keep.schema.audit.Receipt RECEIPT = new dev.keep.schema.audit.Receipt(1, 7, DIGEST, "22".repeat(32),
      "2026-12-02T12:00:00.000001Z", JOB, "tenant-a", "treasury-1", "message", "33".repeat(32), "SIGNED", null, null,
      3L, DIGEST, "66".repeat(32), XONLY);
  static final dev.keep.schema.audit.SignedReceipt SIGNED_RECEIPT = new dev.keep.schema.audit.SignedReceipt(RECEIPT, SIG);

  static final List<EnclaveResponse> RESPONSES = List.of(
      new EnclaveResponse.HealthStatus("ok", "local", 2),
      new EnclaveResponse.KeyInfo("treasury-1", HD_TESTNET, false, "m/86'/1'/0'", COMPRESSED, XONLY, NPUB, TPUB),
      new EnclaveResponse.KeyList(List.of(KEY_INFO)),
      new EnclaveResponse.SchnorrSigned(JOB, "treasury-1", null, XONLY, SIG),
      new EnclaveResponse.EcdsaSigned(JOB, "treasury-1", "m/84'/1'/0'/0/7", COMPRESSED, DIGEST, SIG.substring(0, 128), DER, 1),
      new EnclaveResponse.EventSigned(JOB, "treasury-1", SIGNED_EVENT),
      new EnclaveResponse.PsbtSigned(JOB, "treasury-1", "testnet", PSBT, false, null,
          new PsbtReport.Summary(0, XONLY, 100_000, 99_000, 1_000, 111, 9.01, 60_000, 39_000, 1),
          List.of(new PsbtReport.Input(0, XONLY + ":0", 100_000, "p2tr", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
              "witness_utxo", true, "SIGHASH_DEFAULT", "m/86'/1'/0'/0/0", "signed: P2TR key path, BIP-86 tweak")),
          List.of(new PsbtReport.Output(0, 60_000, "p2wpkh", "0014" + XONLY.substring(0, 40),
                  "tb1qlycg5qvjtrp3qjf5f7zlp8x298dnrjz9dcmyfz", false, null),
              new PsbtReport.Output(1, 39_000, "op_return", "6a046b656570", null, false, null))),
      new EnclaveResponse.PolicyInfo("treasury-1", 3, DIGEST, POLICY_DOCUMENT, 2, 7, 150_000, 900_000),
      new EnclaveResponse.PolicyDecision("treasury-1", false, "max-tx", "max_amount: 1,000,001 sats > 1,000,000", 3L,
          DIGEST, "5c3b1e0f" + DIGEST.substring(8), List.of(new EnclaveResponse.PolicyTrace("root", "all", "deny", "decided by max-tx"),
              new EnclaveResponse.PolicyTrace("max-tx", "max_amount", "deny", "max_amount: 1,000,001 sats > 1,000,000"))),
      new EnclaveResponse.Attestation("local", "hEShATgioFkQAA==", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
          XONLY, DIGEST, List.of(new EnclaveResponse.PolicyRef("treasury-1", 3, DIGEST))),
      new EnclaveResponse.Error(ErrorCode.KEY_NOT_FOUND, "keyId: this enclave holds no key named 'x'"),
      new EnclaveResponse.Error(ErrorCode.RESULT_TOO_LARGE, "the answer is 4194400 bytes, over the 4194304-byte frame limit"),
      new EnclaveResponse.Checkpoints(List.of(new dev.keep.schema.audit.Checkpoint.Signed(new dev.keep.schema.audit.Checkpoint(
          "22".repeat(32), "tenant-a", 7, DIGEST, "2026-12-02T12:05:00Z", XONLY), SIG))),
      new EnclaveResponse.Receipts(List.of(SIGNED_RECEIPT)));

  private static JsonNode event(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ProtocolSamples() {}
}
