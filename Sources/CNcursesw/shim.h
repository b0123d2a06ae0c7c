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

/* Wide-character drawing and input through real functions (several ncurses entry points are macros). */
#include <unistd.h>
static inline int lathe_mvadd_wch(int y, int x, const cchar_t *c) { return mvwadd_wch(stdscr, y, x, c); }
static inline int lathe_get_wch(wint_t *out) { return wget_wch(stdscr, out); }
static inline int lathe_key_code_yes(void) { return KEY_CODE_YES; }
static inline int lathe_ok(void) { return OK; }
static inline int lathe_err(void) { return ERR; }
static inline int lathe_key_f0(void) { return KEY_F0; }

/* Mouse masks are macro expressions. */
static inline mmask_t lathe_mouse_mask(void) {
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int lathe_is_press(mmask_t s) { return (s & (BUTTON1_PRESSED | BUTTON1_CLICKED)) != 0; }
static inline int lathe_is_scroll_up(mmask_t s) { return (s & BUTTON4_PRESSED) != 0; }
static inline int lathe_is_scroll_down(mmask_t s) { return (s & BUTTON5_PRESSED) != 0; }

/* Leaves curses mode and turns off bracketed paste; safe to call twice (used from signal handlers and atexit). */
static inline void lathe_restore_terminal(void) {
    static const char reset[] = "\033[?2004l";
    if (stdscr != NULL && !isendwin()) endwin();
    (void)!write(STDOUT_FILENO, reset, sizeof reset - 1);
}
#endif
