// The subset construction of a position automaton, done once when it is built. A learned
// profile's matchers each see up to a million paths (the generaliser's self-check, coverage,
// the read-back of the written profile); walking the active positions byte by byte cost
// about a quarter of `emit`. Path patterns reach few sets of positions (a handful of loops:
// `*`, `**`, `[0-9]*`), so the whole DFA is small; when it would not be, there is none and
// matches() simulates the positions as before.
#include <map>

#include "apparmor/aare_automaton.h"

namespace armorer::aare_detail {

namespace {

// Table cells (states × byte classes) a DFA may have: 16 KiB of transitions, and a bound on
// the construction's work for a pattern that would never pay it back.
constexpr std::size_t kMaxDfaCells = 4096;
// Wider position sets make every step of the construction dearer: simulate those.
constexpr std::size_t kMaxDfaWords = 4;

}  // namespace

void PositionAutomaton::build_dfa() {
  const std::size_t w = words_;
  classes_ = w == 0 ? 0 : class_mask_.size() / w;
  if (literal_ || w == 0 || w > kMaxDfaWords || classes_ == 0) return;
  using Set = std::vector<Word>;
  std::vector<Set> sets{Set(w, 0)};  // state 0 reads the first byte: its set is not used
  std::map<Set, std::int32_t> ids;
  std::vector<std::int32_t> next;
  std::vector<std::uint8_t> accepts{accepts_empty_};
  for (std::size_t state = 0; state < sets.size(); ++state) {
    if ((state + 1) * classes_ > kMaxDfaCells) return;  // too many: keep simulating
    const Set current = sets[state];                    // a copy: sets grows below
    Set reachable(w, 0);                                // before the byte class applies
    if (state == 0) {
      reachable = first_;
    } else {
      for (std::size_t i = 0; i < w; ++i) {
        for (Word bits = current[i]; bits; bits &= bits - 1) {
          const std::size_t p = i * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
          for (std::size_t j = 0; j < w; ++j) reachable[j] |= follow_[p * w + j];
        }
      }
    }
    for (std::size_t cls = 0; cls < classes_; ++cls) {
      Set target(w, 0);
      Word any = 0, last = 0;
      for (std::size_t i = 0; i < w; ++i) {
        any |= target[i] = reachable[i] & class_mask_[cls * w + i];
        last |= target[i] & last_[i];
      }
      if (!any) {
        next.push_back(-1);
        continue;
      }
      auto [at, fresh] = ids.try_emplace(target, static_cast<std::int32_t>(sets.size()));
      if (fresh) {
        sets.push_back(std::move(target));
        accepts.push_back(last != 0);
      }
      next.push_back(at->second);
    }
  }
  dfa_next_ = std::move(next);
  dfa_accepts_ = std::move(accepts);
}

}  // namespace armorer::aare_detail
