#include "apparmor/peer_rules.h"

#include <tuple>

#include "apparmor/apparmor_names.h"
#include "core/object_field.h"

namespace armorer {

namespace {

template <class T>
std::optional<T> refuse(std::string* why_not, std::string reason) {
  if (why_not) *why_not = std::move(reason);
  return std::nullopt;
}

// "<head> <rest>", both decoded.
std::pair<std::string, std::string> split_head(std::string_view text) {
  auto fields = split_object_fields(text, 2);
  fields.resize(2);
  return {std::move(fields[0]), std::move(fields[1])};
}

// The peer to write, and the recorded one when that differs.
std::pair<std::string, std::optional<std::string>> written(const std::string& recorded,
                                                           std::optional<std::string> written_peer) {
  if (!written_peer || *written_peer == recorded) return {recorded, std::nullopt};
  return {std::move(*written_peer), recorded};
}

}  // namespace

std::optional<SignalRule> SignalRule::from_observation(const Observation& obs,
                                                       std::string* why_not,
                                                       std::optional<std::string> written_peer) {
  if (obs.kind != ObsKind::signal) return refuse<SignalRule>(why_not, "not a signal");
  auto [signal, peer] = split_head(obs.object);
  auto name = signal_name(signal);
  if (!name) return refuse<SignalRule>(why_not, "unknown signal");
  if (peer.empty()) return refuse<SignalRule>(why_not, "signal without a known peer");
  auto [shown, recorded] = written(peer, std::move(written_peer));
  auto peer_pattern = LiteralPattern::make(shown, why_not);
  if (!peer_pattern) return std::nullopt;
  SignalRule rule(std::move(*peer_pattern));
  rule.signals_.insert(std::move(*name));
  if (recorded) rule.recorded_peers_.insert(std::move(*recorded));
  return rule;
}

std::optional<SignalRule> SignalRule::any_signal(bool send, bool receive, std::string_view peer,
                                                 std::string* why_not) {
  if (!send && !receive) return refuse<SignalRule>(why_not, "signal rule without a direction");
  auto peer_pattern = LiteralPattern::make(peer, why_not);
  if (!peer_pattern) return std::nullopt;
  SignalRule rule(std::move(*peer_pattern));
  rule.send_ = send;
  rule.receive_ = receive;
  return rule;
}

std::string SignalRule::render() const {
  std::string line = "signal (";
  line += send_ && receive_ ? "send, receive" : send_ ? "send" : "receive";
  line += ")";
  if (!signals_.empty()) {
    std::string set;
    for (const auto& name : signals_) set += (set.empty() ? "" : ", ") + name;
    line += " set=(" + set + ")";
  }
  return line + " peer=" + peer_.token() + ",";
}

void SignalRule::merge(const SignalRule& other) {
  // An empty set is every signal: it stays so.
  if (signals_.empty() || other.signals_.empty()) signals_.clear();
  else signals_.insert(other.signals_.begin(), other.signals_.end());
  recorded_peers_.insert(other.recorded_peers_.begin(), other.recorded_peers_.end());
}

// Recorded signals are the ones the workload sent.
bool SignalRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::signal || !send_) return false;
  auto [signal, peer] = split_head(obs.object);
  auto name = signal_name(signal);
  return name && (signals_.empty() || signals_.contains(*name)) && !peer.empty() &&
         (peer_.matches(peer) || recorded_peers_.contains(peer));
}

std::strong_ordering SignalRule::operator<=>(const SignalRule& other) const {
  if (auto order = peer_ <=> other.peer_; order != 0) return order;
  if (auto order = std::tie(send_, receive_) <=> std::tie(other.send_, other.receive_); order != 0)
    return order;
  if (auto order = signals_ <=> other.signals_; order != 0) return order;
  return recorded_peers_ <=> other.recorded_peers_;
}

std::optional<PtraceRule> PtraceRule::from_observation(const Observation& obs,
                                                       std::string* why_not,
                                                       std::optional<std::string> written_peer) {
  if (obs.kind != ObsKind::ptrace) return refuse<PtraceRule>(why_not, "not a ptrace access");
  const std::string recorded_peer = decode_object_field(obs.object);
  if (recorded_peer.empty()) return refuse<PtraceRule>(why_not, "ptrace without a known peer");
  auto [shown, recorded] = written(recorded_peer, std::move(written_peer));
  auto peer = LiteralPattern::make(shown, why_not);
  if (!peer) return std::nullopt;
  PtraceRule rule(std::move(*peer));
  if (recorded) rule.recorded_peers_.insert(std::move(*recorded));
  return rule;
}

void PtraceRule::merge(const PtraceRule& other) {
  recorded_peers_.insert(other.recorded_peers_.begin(), other.recorded_peers_.end());
}

std::strong_ordering PtraceRule::operator<=>(const PtraceRule& other) const {
  if (auto order = peer_ <=> other.peer_; order != 0) return order;
  return recorded_peers_ <=> other.recorded_peers_;
}

std::string PtraceRule::render() const {
  return "ptrace (read, trace) peer=" + peer_.token() + ",";
}

bool PtraceRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::ptrace) return false;
  const std::string peer = decode_object_field(obs.object);
  return !peer.empty() && (peer_.matches(peer) || recorded_peers_.contains(peer));
}

std::optional<UnixRule> UnixRule::from_observation(const Observation& obs,
                                                   std::string* why_not) {
  if (obs.kind != ObsKind::unix_socket) return refuse<UnixRule>(why_not, "not a unix socket");
  auto [type, address] = split_head(obs.object);
  auto type_name = network_type_name(type);
  if (!type_name || (*type_name != "stream" && *type_name != "dgram" && *type_name != "seqpacket"))
    return refuse<UnixRule>(why_not, "unknown unix socket type");
  UnixRule rule;
  rule.type_ = std::string(*type_name);
  if (address.empty() || address == "none") return rule;
  if (!address.starts_with('@'))
    return refuse<UnixRule>(why_not, "unix address is neither abstract nor a path");
  auto pattern = LiteralPattern::make(address, why_not);
  if (!pattern) return std::nullopt;
  rule.address_ = std::move(*pattern);
  return rule;
}

std::string UnixRule::render() const {
  return "unix type=" + type_ + " peer=(addr=" + (address_ ? address_->token() : "none") + "),";
}

bool UnixRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::unix_socket) return false;
  auto [type, address] = split_head(obs.object);
  auto type_name = network_type_name(type);
  if (!type_name || *type_name != type_) return false;
  const bool unnamed = address.empty() || address == "none";
  if (!address_) return unnamed;
  return !unnamed && address_->matches(address);
}

std::strong_ordering UnixRule::operator<=>(const UnixRule& other) const {
  return std::tie(type_, address_) <=> std::tie(other.type_, other.address_);
}

}  // namespace armorer
