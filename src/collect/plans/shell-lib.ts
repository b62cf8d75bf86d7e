/**
 * Shell functions the fixed plans share. POSIX sh, /proc only; no user text ever reaches them.
 */

/**
 * `descendants PID`: every descendant of a pid, from one read of /proc/*\/stat
 * ("pid (comm) state ppid ..."), so a watchdog can stop exactly what a plan started and nothing
 * else of the caller's process group.
 */
export const DESCENDANTS_FN = String.raw`descendants() {
  tbl=$(cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/^\([0-9][0-9]*\) .*) . \([0-9][0-9]*\) .*/\1 \2/p')
  todo=$1
  while [ -n "$todo" ]; do
    next=
    for p in $todo; do next="$next $(printf '%s\n' "$tbl" | while read -r c pp; do [ "$pp" = "$p" ] && echo "$c"; done)"; done
    todo=$(echo $next)
    [ -z "$todo" ] || echo "$todo"
  done
}`;
