// SPDX-License-Identifier: GPL-2.0
/* The one definition of the maps and settings that armorer.bpf.h declares for every program. */
#define ARMORER_DEFINE_STATE
#include "bpf/armorer.bpf.h"

char LICENSE[] SEC("license") = "GPL";
