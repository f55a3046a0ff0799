package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One KMS API operation: a validated request in, a response body out, or a {@link KmsException}.
 * Each lives in its own small class and is registered by name in {@link KmsOperations}.
 */
interface KmsOperation {
  ObjectNode handle(KmsRequest request);
}
