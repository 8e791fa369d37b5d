// An observed path cut into the pieces a pattern is written with: plain components, and the
// stock variables of tunables/global where a component stands for something that differs from
// one machine or process to the next (@{PROC}/@{pid}/@{tid}, @{sys}, @{run}, @{HOME}, @{uid},
// @{multiarch}). Only variables that AppArmor 3.0's stock tunables define are used, so every
// emitted profile means the same on every stock system.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace armorer {

struct PathPiece {
  std::string pattern;  // AARE of this piece
  std::string literal;  // what was observed here ("1234", or "/home/alice" for @{HOME})
  // Other texts the pattern stands for, for the sensitive-path guard: the values of a
  // variable ("/root", "/home/…"), or a name of a glob's shape that nobody observed.
  std::vector<std::string> probes;
  // Why this piece is a pattern when the recording, not the name's shape, made it one
  // ("varied in 2 of 2 runs: m9foru5e, oby28jcg"), for `emit --explain`; "" otherwise.
  std::string why;
  // The pattern brings its own leading '/' (variables whose values start with one, such as
  // @{HOME} = /root/ …): it is written first, without a '/' before it.
  bool absolute = false;

  bool is_literal() const { return probes.empty(); }
  static PathPiece plain(std::string_view component);
};

// The pieces of an absolute path, without its trailing '/' (a directory is said by the caller).
// With variables=false every component stays plain.
std::vector<PathPiece> path_pieces(std::string_view path, bool is_dir, bool variables = true);

// "/" joined, absolute pieces first as they are; "/" for no pieces. Trailing '/' for a dir.
std::string join_patterns(const std::vector<PathPiece>& pieces, bool is_dir);

// Concrete paths the pieces stand for (the cartesian product of each piece's literal and
// probes, at most `limit`), for the sensitive-path guard.
std::vector<std::string> probe_paths(const std::vector<PathPiece>& pieces, bool is_dir, size_t limit = 32);

}  // namespace armorer
