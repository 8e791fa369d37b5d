#include "analyzer/peer_rules.h"

#include <tuple>

#include "analyzer/apparmor_names.h"

namespace armorer {

namespace {

template <class T>
std::optional<T> refuse(std::string* why_not, std::string reason) {
  if (why_not) *why_not = std::move(reason);
  return std::nullopt;
}

// "<head> <rest>" where rest may itself hold spaces (peers and addresses are names).
std::pair<std::string_view, std::string_view> split_head(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return {text, {}};
  return {text.substr(0, space), text.substr(space + 1)};
}

}  // namespace

std::optional<SignalRule> SignalRule::from_observation(const Observation& obs,
                                                       std::string* why_not) {
  if (obs.kind != ObsKind::signal) return refuse<SignalRule>(why_not, "not a signal");
  auto [signal, peer] = split_head(obs.object);
  auto name = signal_name(signal);
  if (!name) return refuse<SignalRule>(why_not, "unknown signal");
  if (peer.empty()) return refuse<SignalRule>(why_not, "signal without a known peer");
  auto peer_pattern = LiteralPattern::make(peer, why_not);
  if (!peer_pattern) return std::nullopt;
  SignalRule rule(std::move(*peer_pattern));
  rule.signals_.insert(std::move(*name));
  return rule;
}

std::string SignalRule::render() const {
  std::string set;
  for (const auto& name : signals_) set += (set.empty() ? "" : ", ") + name;
  return "signal (send) set=(" + set + ") peer=" + peer_.token() + ",";
}

void SignalRule::merge(const SignalRule& other) {
  signals_.insert(other.signals_.begin(), other.signals_.end());
}

bool SignalRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::signal) return false;
  auto [signal, peer] = split_head(obs.object);
  auto name = signal_name(signal);
  return name && signals_.contains(*name) && !peer.empty() && peer_.matches(peer);
}

std::strong_ordering SignalRule::operator<=>(const SignalRule& other) const {
  if (auto order = peer_ <=> other.peer_; order != 0) return order;
  return signals_ <=> other.signals_;
}

std::optional<PtraceRule> PtraceRule::from_observation(const Observation& obs,
                                                       std::string* why_not) {
  if (obs.kind != ObsKind::ptrace) return refuse<PtraceRule>(why_not, "not a ptrace access");
  if (obs.object.empty()) return refuse<PtraceRule>(why_not, "ptrace without a known peer");
  auto peer = LiteralPattern::make(obs.object, why_not);
  if (!peer) return std::nullopt;
  return PtraceRule(std::move(*peer));
}

std::string PtraceRule::render() const {
  return "ptrace (read, trace) peer=" + peer_.token() + ",";
}

bool PtraceRule::covers(const Observation& obs) const {
  return obs.kind == ObsKind::ptrace && !obs.object.empty() && peer_.matches(obs.object);
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
