#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "recorder/libbpf_log.h"

using armorer::libbpf_log::refusal_in;

// Lines as libbpf 1.1 wrote them on the kernels of the matrix (docs/kernels.md).
TEST_CASE("a hook the kernel lacks: libbpf names the program and the missing type") {
  const std::vector<std::string> lines = {
      "prog 'on_capable': failed to find kernel BTF type ID of 'cap_capable': -3",
      "prog 'on_capable': failed to prepare load attributes: -3",
      "prog 'on_capable': failed to load: -3",
      "failed to load object 'armorer_bpf'",
  };
  auto [program, why] = refusal_in(lines);
  CHECK(program == "on_capable");
  CHECK(why == "failed to find kernel BTF type ID of 'cap_capable': -3");
}

TEST_CASE("a program the verifier refuses: its last word is kept") {
  const std::vector<std::string> lines = {
      "prog 'on_sys_exit': BPF program load failed: Argument list too long",
      "prog 'on_sys_exit': -- BEGIN PROG LOAD LOG --",
      "908: (61) r2 = *(u32 *)(r6 +32)",
      "BPF program is too large. Processed 1000001 insn",
      "processed 1000001 insns (limit 1000000) max_states_per_insn 95 total_states 37688",
      "-- END PROG LOAD LOG --",
      "prog 'on_sys_exit': failed to load: -7",
  };
  auto [program, why] = refusal_in(lines);
  CHECK(program == "on_sys_exit");
  CHECK(why == "BPF program load failed: Argument list too long (verifier: BPF program is too large. Processed 1000001 insn)");
}

TEST_CASE("a failure that names no program is not blamed on one") {
  auto [program, why] = refusal_in({"failed to create map 'events': -1", "failed to load object 'armorer_bpf'"});
  CHECK(program.empty());
  CHECK(why.empty());
}
