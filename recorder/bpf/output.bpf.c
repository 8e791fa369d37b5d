// SPDX-License-Identifier: GPL-2.0
/* Event output: hashing, in-kernel de-duplication and the ring buffer, with wake-ups batched
 * so that a busy workload does not pay an interrupt per event. */
#include "bpf/armorer.bpf.h"

#define HASH_WORDS (DATA_SIZE / 8)
_Static_assert(__builtin_offsetof(struct armorer_event, data) % 8 == 0, "hash_event reads ev->data in aligned words");

static __always_inline __u64 mix(__u64 hash, __u64 word) {
  hash = (hash ^ word) * 0x100000001b3ull;
  return hash ^ (hash >> 29);
}

/* Mixes the first `words` 8-byte words of the scratch event's data into hash. A global function
 * on its own, so that the verifier enters its loop in one state only: it walks every iteration
 * (the counter must stay exact), once per state the loop is entered in. The body is one load
 * and one branch (ev->data is 8-byte aligned). */
__noinline __u64 hash_words(__u64 hash, __u32 words) {
  struct armorer_event *ev = scratch();
  if (!ev) return hash;
  const __u64 *data = __builtin_assume_aligned(ev->data, 8);
#pragma clang loop unroll(disable)
  for (__u32 i = 0; i < HASH_WORDS; i++) {
    if (i >= words) break;
    hash = mix(hash, data[i]);
  }
  return hash;
}

__noinline __u64 hash_event(__u64 seed) {
  struct armorer_event *ev = scratch();
  if (!ev) return 0;
  __u32 len = (__u32)ev->path_len + (__u32)ev->name_len;
  __u32 words = len / 8, left = len & 7, tail = words * 8;
  __u64 hash = hash_words(0xcbf29ce484222325ull ^ seed, words);
  ev = scratch();
  if (ev && left && tail <= DATA_SIZE - 8) {
    __u64 word = *(const __u64 *)__builtin_assume_aligned(&ev->data[tail], 8);
    hash = mix(hash, word & ((1ull << (left * 8)) - 1));
  }
  return hash;
}

/* Where the consumer stood when a wake-up was last asked for (shared by all CPUs; a race only
 * costs an extra wake-up). */
__u64 woken_at_consumer_pos = ~0ull;

/* The process whose exit wakes the consumer at once (the target's root, set by user space);
 * other exits wait for the next wake-up or poll timeout. Waking for every exit cost an
 * interrupt per process on exec-heavy workloads. */
__u32 wake_on_exit_of = 0;

/* Wakes the consumer once wakeup_bytes wait, and when the target's root exits so that its end
 * is noticed at once; below the mark the consumer finds the events at its poll timeout. A level,
 * not an edge: a crossing judged from a snapshot of the waiting bytes can be missed (two CPUs
 * sending at once), and a consumer never woken lets the buffer overflow. But only once per
 * consumer position: asking again before it has read anything would cost an interrupt per
 * event exactly when the consumer is already behind. */
static __always_inline __u64 wakeup_flag(const struct armorer_event *ev, __u64 size) {
  if (!wakeup_bytes || (ev->type == EV_EXIT && ev->pid == wake_on_exit_of)) return BPF_RB_FORCE_WAKEUP;
  if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size < wakeup_bytes) return BPF_RB_NO_WAKEUP;
  __u64 consumer = bpf_ringbuf_query(&events, BPF_RB_CONS_POS);
  if (consumer == woken_at_consumer_pos) return BPF_RB_NO_WAKEUP;
  woken_at_consumer_pos = consumer;
  return BPF_RB_FORCE_WAKEUP;
}

__noinline int send_event(void) {
  struct armorer_event *ev = scratch();
  if (!ev) return -1;
  __u64 size = offsetof(struct armorer_event, data) + (__u64)ev->path_len + (__u64)ev->name_len;
  if (size > sizeof(*ev)) size = sizeof(*ev);
  if (bpf_ringbuf_output(&events, ev, size, wakeup_flag(ev, size))) {
    stat_add(STAT_LOST, 1);
    return -1;
  }
  stat_add(STAT_EVENTS, 1);
  return 0;
}

__noinline int send_unique(__u64 object_hash) {
  struct armorer_event *ev = scratch();
  if (!ev) return -1;
  struct dedup_key key = {.subject = ev->subject,
                          .hash = object_hash,
                          .type = ev->type,
                          .access_flags = ev->access | (ev->flags << 16)};
  __u64 *count = bpf_map_lookup_elem(&seen, &key);
  if (count) {
    __sync_fetch_and_add(count, 1);
    stat_add(STAT_DEDUP_HITS, 1);
    return 1;
  }
  __u64 one = 1;
  bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
  if (send_event()) {
    bpf_map_delete_elem(&seen, &key);
    return -1;
  }
  return 0;
}
