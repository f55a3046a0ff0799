package dev.keep.schema.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {

  @Test
  void everyRequestTypeHasASample() {
    Set<Class<?>> sampled = ProtocolSamples.REQUESTS.stream().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(concreteSubtypes(EnclaveRequest.class), sampled);
  }

  /** The records a sealed interface permits, through sealed sub-interfaces too. */
  private static Set<Class<?>> concreteSubtypes(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses())
        .flatMap(c -> c.isInterface() ? concreteSubtypes(c).stream() : java.util.stream.Stream.of(c))
        .collect(Collectors.toSet());
  }

  @Test
  void everyResponseTypeHasASample() {
    Set<Class<?>> sampled = ProtocolSamples.RESPONSES.stream().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(EnclaveResponse.class.getPermittedSubclasses()), sampled);
  }

  @Test
  void everyTypeRoundTripsThroughFramesAndCodec() throws Exception {
    FrameCodec frames = new FrameCodec();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    int id = 0;
    for (EnclaveRequest r : ProtocolSamples.REQUESTS) {
      frames.write(wire, ProtocolCodec.encode(RequestFrame.of("r" + id++, r)));
    }
    for (EnclaveResponse r : ProtocolSamples.RESPONSES) {
      frames.write(wire, ProtocolCodec.encode(ResponseFrame.of("r" + id++, r)));
    }
    InputStream in = new ByteArrayInputStream(wire.toByteArray());
    List<String> failures = new ArrayList<>();
    id = 0;
    for (EnclaveRequest r : ProtocolSamples.REQUESTS) {
      RequestFrame back = ProtocolCodec.decodeRequest(frames.read(in).orElseThrow());
      if (!back.equals(RequestFrame.of("r" + id++, r))) {
        failures.add(r + " came back as " + back);
      }
    }
    for (EnclaveResponse r : ProtocolSamples.RESPONSES) {
      ResponseFrame back = ProtocolCodec.decodeResponse(frames.read(in).orElseThrow());
      if (!back.equals(ResponseFrame.of("r" + id++, r))) {
        failures.add(r + " came back as " + back);
      }
    }
    assertTrue(frames.read(in).isEmpty(), "stream ends cleanly after the last frame");
    assertEquals(List.of(), failures);
  }

  /**
   * Pins the wire form of every type. A change to the protocol shows as a diff of
   * src/test/resources/golden/protocol.jsonl; regenerate with -Dkeep.golden.update=true.
   */
  @Test
  void wireFormatMatchesGolden() throws IOException {
    StringBuilder actual = new StringBuilder();
    for (EnclaveRequest r : ProtocolSamples.REQUESTS) {
      actual.append(new String(ProtocolCodec.encode(RequestFrame.of("1", r)), StandardCharsets.UTF_8)).append('\n');
    }
    for (EnclaveResponse r : ProtocolSamples.RESPONSES) {
      actual.append(new String(ProtocolCodec.encode(ResponseFrame.of("1", r)), StandardCharsets.UTF_8)).append('\n');
    }
    // A request that presents the key's stored state, as a worker of a fleet sends it.
    actual.append(new String(ProtocolCodec.encode(RequestFrame.of("1", ProtocolSamples.REQUESTS.get(6),
        ProtocolSamples.SEALED_STATE)), StandardCharsets.UTF_8)).append('\n');
    // A response that carries what it sealed: a signature with the charged policy state.
    actual.append(new String(ProtocolCodec.encode(ResponseFrame.of("1", ProtocolSamples.RESPONSES.get(0),
        List.of(ProtocolSamples.SEALED_KEY, ProtocolSamples.SEALED_STATE))), StandardCharsets.UTF_8)).append('\n');
    // A signature with its audit receipt, as the enclave answers a job (issue 19).
    actual.append(new String(ProtocolCodec.encode(ResponseFrame.of("1", ProtocolSamples.RESPONSES.get(3), List.of())
        .withReceipt(ProtocolSamples.SIGNED_RECEIPT)), StandardCharsets.UTF_8)).append('\n');
    Path golden = Path.of("src/test/resources/golden/protocol.jsonl");
    if (Boolean.getBoolean("keep.golden.update")) {
      Files.writeString(golden, actual);
    }
    assertEquals(Files.readString(golden), actual.toString());
  }

  @Test
  void strictDecodingNamesTheField() {
    List<String> failures = new ArrayList<>();
    String[][] cases = {
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"sign_message\",\"jobId\":\"j\",\"keyId\":\"k\",\"message\":\"zz\",\"scheme\":\"bip340\",\"path\":null,\"approvals\":null}}", "message"},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"sign_message\",\"jobId\":\"j\",\"keyId\":\"bad key\",\"message\":\"00\",\"scheme\":\"bip340\",\"path\":null,\"approvals\":null}}", "keyId"},
      {"{\"v\":2,\"id\":\"1\",\"body\":{\"type\":\"health\"},\"state\":null}", "v:"},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"health\"}}", "state"},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"launch_missiles\"}}", "launch_missiles"},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"health\",\"extra\":1}}", "extra"},
      {"{\"v\":1,\"id\":\"1\"}", "body"},
      {"not json", ""},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"health\"}} trailing", ""},
      // A key twice: a tree would keep the last, so the host and the enclave could read two jobs.
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"sign_message\",\"jobId\":\"j\",\"keyId\":\"nope\",\"keyId\":\"k\","
          + "\"message\":\"00\",\"scheme\":\"bip340\",\"path\":null,\"approvals\":null}}", "Duplicate field 'keyId'"},
      {"{\"v\":1,\"id\":\"1\",\"id\":\"2\",\"body\":{\"type\":\"health\"}}", "Duplicate field 'id'"},
      {"{\"v\":1,\"id\":\"1\",\"body\":{\"type\":\"sign_event\",\"jobId\":\"j\",\"keyId\":\"k\",\"event\":{\"content\":\"a\","
          + "\"content\":\"b\"},\"path\":null,\"approvals\":null}}", "Duplicate field 'content'"},
    };
    for (String[] c : cases) {
      try {
        ProtocolCodec.decodeRequest(c[0].getBytes(StandardCharsets.UTF_8));
        failures.add("accepted: " + c[0]);
      } catch (ProtocolException e) {
        if (!e.getMessage().contains(c[1])) {
          failures.add("message for " + c[0] + " does not name '" + c[1] + "': " + e.getMessage());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void frameOverTheLimitIsRefusedBeforeAllocating() {
    FrameCodec frames = new FrameCodec(1024);
    byte[] header = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}; // announces 2 GiB, sends nothing
    ProtocolException e = assertThrows(ProtocolException.class, () -> frames.read(new ByteArrayInputStream(header)));
    assertTrue(e.getMessage().contains("exceeds the maximum of 1024"), e.getMessage());
  }

  @Test
  void negativeLengthIsRefused() {
    FrameCodec frames = new FrameCodec(1024);
    byte[] header = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThrows(ProtocolException.class, () -> frames.read(new ByteArrayInputStream(header)));
  }

  @Test
  void truncatedFramesAreErrorsNotEndOfStream() {
    FrameCodec frames = new FrameCodec(1024);
    assertThrows(ProtocolException.class, () -> frames.read(new ByteArrayInputStream(new byte[] {0, 0})));
    assertThrows(ProtocolException.class, () -> frames.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 5, 1, 2})));
  }

  @Test
  void writerRefusesOversizedPayload() {
    FrameCodec frames = new FrameCodec(4);
    assertThrows(IllegalArgumentException.class, () -> frames.write(new ByteArrayOutputStream(), new byte[5]));
  }

  @Test
  void frameLayoutIsBigEndianLengthThenPayload() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new FrameCodec().write(out, new byte[] {9, 8, 7});
    assertEquals(Arrays.toString(new byte[] {0, 0, 0, 3, 9, 8, 7}), Arrays.toString(out.toByteArray()));
  }
}
