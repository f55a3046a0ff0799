"""Keep's launcher for moto's DynamoDB server: moto_server, with four changes Keep's local stack
and tests rely on, made at start-up without touching moto's files. Written for moto 5.2; it refuses
to start on a moto whose internals it does not recognise, rather than patch the wrong thing.

1. Every moto model instance ever made is appended to a class-level list that nothing clears
   (BaseModel.__new__, for moto's dashboard). A transaction deep-copies whole tables as its
   backup, so each transaction left a full copy of every table it touched behind: memory grew with
   transactions x table size. Instances are no longer tracked; DynamoDB never reads that list.
2. A transaction backed up each table it touched once per item it wrote (99 full copies for a
   transaction of 99 writes to one table). It now backs up only the items it touches, and the
   stream records it added, and puts exactly those back when it is cancelled.
3. The server is threaded, and moto does not serialise DynamoDB calls: two conditional writes to one
   item, or two transactions, could both pass their conditions. Calls that read or write items now
   run one at a time, as DynamoDB's own conditional writes and transactions behave.
4. DynamoDB Streams, which the local webhook dispatcher polls several times a second, kept every
   shard iterator it ever handed out (one per GetRecords call) and every stream record forever. A
   used iterator is now dropped (the poller asks with the next one, as DynamoDB's own iterators are
   meant to be used), and a shard keeps its latest STREAM_RECORDS_KEPT records (DynamoDB keeps 24
   hours of them); an iterator older than that gets an error, as an expired one does.

Usage: python keep_moto.py [moto_server arguments]
"""

import copy
import sys
import threading

import moto
from moto.core import common_models
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend

STREAM_RECORDS_KEPT = 100_000


def _check_internals():
    needed = [
        (common_models.BaseModel, "__new__"),
        (DynamoDBBackend, "transact_write_items"),
        (Table, "get_item"),
        (StreamShard, "add"),
        (DynamoDBStreamsBackend, "get_records"),
    ]
    for owner, name in needed:
        if name not in vars(owner):
            sys.exit("keep_moto: moto %s has no %s.%s; this launcher is for moto 5.2" % (
                moto.__version__, owner.__name__, name))
    if not hasattr(dynamodb_models, "copy"):
        sys.exit("keep_moto: moto %s's DynamoDB models no longer import copy; this launcher is for moto 5.2" % moto.__version__)


def _untracked_new(cls, *args, **kwargs):
    return object.__new__(cls)


class _TablesNotCopied:
    """moto's transaction backs up whole tables with copy.deepcopy; it gets the tables themselves."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


_LOCK = threading.RLock()


def _key_of(table, op_type, op):
    attrs = op["Item"] if op_type == "Put" else op.get("Key", {})
    if table.hash_key_attr not in attrs:
        return None
    hash_key = DynamoType(attrs[table.hash_key_attr])
    range_key = None
    if table.range_key_attr is not None:
        if table.range_key_attr not in attrs:
            return None
        range_key = DynamoType(attrs[table.range_key_attr])
    return hash_key, range_key


def _restore(table, hash_key, range_key, saved):
    if range_key is None:
        if saved is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = saved
    else:
        rows = table.items[hash_key]
        if saved is None:
            rows.pop(range_key, None)
        else:
            rows[range_key] = saved


def _wrap_transaction(original):
    def transact_write_items(self, transact_items):
        with _LOCK:
            saved = []
            streams = {}
            for entry in transact_items:
                if len(entry) != 1:
                    continue
                op_type, op = next(iter(entry.items()))
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                if table is None:
                    continue
                key = _key_of(table, op_type, op)
                if key is None:
                    continue
                item = table.get_item(*key)
                saved.append((table, key[0], key[1], copy.deepcopy(item) if item is not None else None))
                if table.stream_shard is not None and id(table) not in streams:
                    shard = table.stream_shard
                    # The absolute sequence number of the next record: stays right if the shard is
                    # trimmed during the transaction.
                    streams[id(table)] = (table, shard.starting_sequence_number + len(shard.items))
            try:
                return original(self, transact_items)
            except BaseException:
                # Put back what the cancelled transaction changed, last write first.
                for table, hash_key, range_key, item in reversed(saved):
                    _restore(table, hash_key, range_key, item)
                for table, next_seq in streams.values():
                    shard = table.stream_shard
                    del shard.items[max(0, next_seq - shard.starting_sequence_number):]
                raise
    return transact_write_items


def _serialised(original):
    def call(self, *args, **kwargs):
        with _LOCK:
            return original(self, *args, **kwargs)
    call.__name__ = original.__name__
    return call


def _trimmed(original):
    def add(self, old, new):
        original(self, old, new)
        excess = len(self.items) - STREAM_RECORDS_KEPT
        if excess > 0:
            # Sequence numbers are the index plus the starting number: move it with the cut.
            del self.items[:excess]
            self.starting_sequence_number += excess
    add.__name__ = original.__name__
    return add


def _used_once(original):
    def get_records(self, iterator_arn, limit):
        with _LOCK:
            try:
                return original(self, iterator_arn, limit)
            finally:
                self.shard_iterators.pop(iterator_arn, None)
    get_records.__name__ = original.__name__
    return get_records


def patch():
    _check_internals()
    common_models.BaseModel.__new__ = _untracked_new
    dynamodb_models.copy = _TablesNotCopied
    DynamoDBBackend.transact_write_items = _wrap_transaction(DynamoDBBackend.transact_write_items)
    StreamShard.add = _trimmed(StreamShard.add)
    DynamoDBStreamsBackend.get_records = _used_once(DynamoDBStreamsBackend.get_records)
    for name in ("put_item", "update_item", "delete_item", "get_item", "query", "scan", "batch_write_item",
                 "batch_get_item", "transact_get_items"):
        if name in vars(DynamoDBBackend):
            setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))


if __name__ == "__main__":
    patch()
    from moto.server import main
    sys.exit(main(sys.argv[1:]))
