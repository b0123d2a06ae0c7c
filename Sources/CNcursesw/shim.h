// ncursesw from Swift 6: wide-character API needs _XOPEN_SOURCE_EXTENDED; C globals and macros are
// exposed through static inline accessors because Swift 6 strict concurrency rejects mutable C globals.
#ifndef LATHE_CNCURSESW_SHIM_H
#define LATHE_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/ncurses.h>

static inline WINDOW *lathe_stdscr(void) { return stdscr; }
static inline int lathe_lines(void) { return LINES; }
static inline int lathe_cols(void) { return COLS; }
static inline int lathe_colors(void) { return COLORS; }
static inline int lathe_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t lathe_a_bold(void) { return A_BOLD; }
static inline attr_t lathe_a_reverse(void) { return A_REVERSE; }
static inline attr_t lathe_a_underline(void) { return A_UNDERLINE; }
static inline attr_t lathe_a_dim(void) { return A_DIM; }
static inline attr_t lathe_a_italic(void) { return A_ITALIC; }
static inline attr_t lathe_color_pair(int n) { return COLOR_PAIR(n); }
static inline int lathe_key_resize(void) { return KEY_RESIZE; }
static inline int lathe_key_mouse(void) { return KEY_MOUSE; }
#endif
