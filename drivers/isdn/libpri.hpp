#pragma once
// libpri 1.6's header has no extern "C" guard. Only drivers/isdn includes it,
// and only through this file.

extern "C" {
#include <libpri.h>
}
