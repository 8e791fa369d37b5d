// Rules about another process or socket: `signal`, `ptrace` and abstract/anonymous `unix`
// rules. The peer is always written as a literal; a rule without a known peer is never written
// in the peer-less form, which would allow every peer. Object fields are decoded with
// decode_object_field() (core/object_field.h).
//
// A peer may be written under another name than the one recorded (`written_peer`): a
// complain-mode log calls an `ix` child "PROFILE//null-/usr/bin/x", a label that exists only
// while learning; enforced, the child is the profile itself. The rule then still covers the
// recorded name, which is what it stands for.
#pragma once

#include <compare>
#include <optional>
#include <set>
#include <string>

#include "apparmor/literal_pattern.h"
#include "core/observation.h"

namespace armorer {

class SignalRule {
 public:
  // Object "<signal> <peer>", e.g. "term /usr/bin/worker" or "15 unconfined".
  static std::optional<SignalRule> from_observation(const Observation& obs, std::string* why_not,
                                                    std::optional<std::string> written_peer = {});
  // Every signal, in the given directions, with `peer`: what a profile grants without having
  // seen it (see analyze(): the runtime must be able to stop the workload).
  static std::optional<SignalRule> any_signal(bool send, bool receive, std::string_view peer,
                                              std::string* why_not);

  const LiteralPattern& peer() const { return peer_; }
  const std::set<std::string>& signals() const { return signals_; }  // empty: every signal
  // "signal (send) set=(hup, term) peer=/usr/bin/worker,", "signal (receive) peer=unconfined,"
  std::string render() const;
  bool same_target(const SignalRule& other) const {
    return peer_ == other.peer_ && send_ == other.send_ && receive_ == other.receive_;
  }
  void merge(const SignalRule& other);
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const SignalRule& other) const;
  bool operator==(const SignalRule& other) const { return (*this <=> other) == 0; }

 private:
  SignalRule(LiteralPattern peer) : peer_(std::move(peer)) {}
  LiteralPattern peer_;
  bool send_ = true;
  bool receive_ = false;
  std::set<std::string> signals_;
  std::set<std::string> recorded_peers_;  // names written as peer_ instead (see above)
};

class PtraceRule {
 public:
  // Object "<peer>". The recording does not say whether the subject read or traced the peer,
  // so the rule allows both tracer-side permissions, never the peer-side ones.
  static std::optional<PtraceRule> from_observation(const Observation& obs, std::string* why_not,
                                                    std::optional<std::string> written_peer = {});

  const LiteralPattern& peer() const { return peer_; }
  std::string render() const;  // "ptrace (read, trace) peer=/usr/bin/child,"
  bool same_target(const PtraceRule& other) const { return peer_ == other.peer_; }
  void merge(const PtraceRule& other);
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const PtraceRule& other) const;
  bool operator==(const PtraceRule& other) const { return (*this <=> other) == 0; }

 private:
  PtraceRule(LiteralPattern peer) : peer_(std::move(peer)) {}
  LiteralPattern peer_;
  std::set<std::string> recorded_peers_;
};

class UnixRule {
 public:
  // Object "<type> <address>": "@name" (abstract) or "" / "none" (unnamed). Path addresses
  // belong to file rules (see file_need()) and are refused here.
  static std::optional<UnixRule> from_observation(const Observation& obs, std::string* why_not);

  const std::string& type() const { return type_; }
  // "unix type=stream peer=(addr=@name)," or "... peer=(addr=none),"
  std::string render() const;
  bool same_target(const UnixRule& other) const { return (*this <=> other) == 0; }
  void merge(const UnixRule&) {}
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const UnixRule& other) const;
  bool operator==(const UnixRule& other) const { return (*this <=> other) == 0; }

 private:
  UnixRule() = default;
  std::string type_;
  std::optional<LiteralPattern> address_;  // nullopt: unnamed socket
};

}  // namespace armorer
