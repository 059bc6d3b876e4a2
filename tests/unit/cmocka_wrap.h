/* SPDX-License-Identifier: GPL-2.0 */
/* cmocka needs these before it. */
#ifndef BPFMEM_CMOCKA_WRAP_H
#define BPFMEM_CMOCKA_WRAP_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
