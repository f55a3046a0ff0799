package dev.keep.emulators;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Real, unmodified SDK clients pointed at a local endpoint, with dummy credentials. */
public final class LocalAws {
  private LocalAws() {}

  public static DynamoDbClient dynamoDb(URI endpoint, ExecutionInterceptor... interceptors) {
    return configure(DynamoDbClient.builder(), endpoint, interceptors).build();
  }

  public static SqsClient sqs(URI endpoint, ExecutionInterceptor... interceptors) {
    return configure(SqsClient.builder(), endpoint, interceptors).build();
  }

  public static software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient dynamoDbStreams(URI endpoint) {
    return configure(software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient.builder(), endpoint).build();
  }

  public static KmsClient kms(URI endpoint, ExecutionInterceptor... interceptors) {
    return configure(KmsClient.builder(), endpoint, interceptors).build();
  }

  private static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, URI endpoint, ExecutionInterceptor... interceptors) {
    return builder
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(
            c -> {
              for (ExecutionInterceptor interceptor : interceptors) {
                c.addExecutionInterceptor(interceptor);
              }
            });
  }
}
