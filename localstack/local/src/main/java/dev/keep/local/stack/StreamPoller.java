package dev.keep.local.stack;

import dev.keep.api.webhooks.EventDispatcher;
import dev.keep.api.webhooks.StreamChange;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What Lambda's event source mapping does for the dispatcher in AWS, done locally: reads the jobs
 * table's stream through the emulator's DynamoDB Streams API (DescribeStream, GetShardIterator,
 * GetRecords) and hands each batch of records to the same {@link EventDispatcher} the stream Lambda
 * runs. A batch that fails is read again from its first record, as Lambda retries a stream batch;
 * the dispatcher is idempotent. Only the emulator's single open shard is read (moto keeps one).
 */
public final class StreamPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamPoller.class);
  /**
   * How long the poller waits when the stream had nothing new: Lambda polls a shard 4 times a
   * second, and so does this, so that an idle stack does not load moto, which runs one call at a
   * time, more than a deployment would load DynamoDB.
   */
  private static final long IDLE_MILLIS = 250;

  private final DynamoDbStreamsClient streams;
  private final EventDispatcher dispatcher;
  private final String streamArn;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private StreamPoller(DynamoDbStreamsClient streams, EventDispatcher dispatcher, String streamArn) {
    this.streams = streams;
    this.dispatcher = dispatcher;
    this.streamArn = streamArn;
    this.thread = Thread.ofPlatform().name("jobs-stream").daemon(true).unstarted(this::run);
  }

  /** Starts reading {@code table}'s stream from its oldest record. */
  public static StreamPoller start(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String table,
      EventDispatcher dispatcher) {
    String arn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    if (arn == null) {
      throw new IllegalStateException("table " + table + " has no stream; its definition names one");
    }
    StreamPoller poller = new StreamPoller(streams, dispatcher, arn);
    poller.thread.start();
    return poller;
  }

  private void run() {
    String shardId = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().getFirst().shardId();
    String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    while (running.get()) {
      try {
        GetRecordsResponse response = streams.getRecords(getRecords(iterator));
        List<Record> records = response.records();
        if (!records.isEmpty()) {
          try {
            dispatcher.dispatch(records.stream().map(StreamChange::of).toList());
          } catch (RuntimeException e) {
            // Read the batch again from its first record, as Lambda does.
            LOG.warn("dispatching {} stream records failed; reading them again: {}", records.size(), e.toString());
            String first = records.getFirst().dynamodb().sequenceNumber();
            iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).sequenceNumber(first)).shardIterator();
            pause(1_000);
            continue;
          }
        }
        iterator = response.nextShardIterator();
        if (records.isEmpty()) {
          pause(IDLE_MILLIS);
        }
      } catch (RuntimeException e) {
        if (running.get()) {
          LOG.warn("reading the jobs stream failed: {}", e.toString());
          pause(1_000);
        }
      }
    }
  }

  private static java.util.function.Consumer<software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest.Builder>
      getRecords(String iterator) {
    return b -> b.shardIterator(iterator).limit(1000);
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  @Override
  public void close() {
    running.set(false);
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
