# user/busybox/test.sh: Debian's busybox-static on Linnet. Run by busybox's ash:
#   /bin/busybox sh /tests/busybox/test.sh   (on Linnet, under its init: the applet links are in /bin)
# and, for the differential run, by the same busybox under qemu-aarch64 with PATH set
# to wrappers that run each applet under qemu-aarch64 too (qemu/runtests.py).
# Prints TAP. Outputs that legitimately differ (dates, pids, sizes, the machine's own
# processes) are checked by their shape. The scratch directory is under $TMPDIR or /tmp.

n=0
fail=0
check() { # check NAME COMMAND...: ok if COMMAND succeeds
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fail=$((fail + 1)); fi
}
eq() { # eq NAME GOT WANT
    n=$((n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        echo "#   got  '$2'"
        echo "#   want '$3'"
        fail=$((fail + 1))
    fi
}
matches() { # matches NAME TEXT ERE: TEXT (all of it, first line counts) matches the regex
    n=$((n + 1))
    if printf '%s\n' "$2" | grep -Eq "$3"; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$2" | head -5 | sed 's/^/#   got: /'
        fail=$((fail + 1))
    fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
on_linnet() { uname -r -v | grep -q linnet; }

dir=${TMPDIR:-/tmp}/bbtest.$$
rm -rf "$dir"
mkdir -p "$dir" && cd "$dir" || { echo "1..0 # SKIP no scratch directory"; exit 1; }

# ---- the shell itself ----
eq "a pipeline of three" "$(printf 'c\nb\na\n' | sort | head -n 1)" "a"
echo one >out.txt
echo two >>out.txt
eq "> and >> redirections" "$(cat out.txt | tr '\n' ' ')" "one two "
eq "< input redirection" "$(wc -l <out.txt)" "2"
eq "2>&1 merges stderr" "$( (echo err >&2) 2>&1)" "err"
name=world
cat >here.txt <<EOT
hello $name
  indented \$notexpanded
EOT
eq "a here-document expands variables" "$(head -n 1 here.txt)" "hello world"
eq "an escaped \$ stays" "$(tail -n 1 here.txt)" '  indented $notexpanded'
eq "a quoted here-document does not expand" "$(cat <<'EOT'
$name
EOT
)" '$name'
square() { echo $(($1 * $1)); }
eq "a function with arithmetic" "$(square 12)" "144"
isodd() { return $(($1 % 2 == 0)); }
check "a function's return status" isodd 7
counter() { local x=5; x=$((x + 1)); echo $x; }
x=1
eq "local variables stay local" "$(counter) $x" "6 1"
eq "nested \$(...)" "$(echo $(echo $(echo deep)))" "deep"
v=outer
(v=inner; exit 0)
eq "a subshell does not change the parent" "$v" "outer"
( exit 3 )
eq "a subshell's exit status" "$?" "3"
trap 'echo trapped >trap.txt' EXIT
eq "trap on EXIT runs when a subshell exits" "$( (trap 'echo bye' EXIT; echo hi) | tr '\n' ' ')" "hi bye "
trap - EXIT
got_usr1=no
trap 'got_usr1=yes' USR1
kill -USR1 $$
eq "trap USR1, kill -USR1 \$\$" "$got_usr1" "yes"
trap - USR1
sleep 0.2 &
bg=$!
(exit 4) &
bg2=$!
wait $bg
s1=$?
wait $bg2
s2=$?
eq "background jobs and wait PID give their statuses" "$s1 $s2" "0 4"
for i in 1 2 3; do echo $i >job$i.txt & done
wait
eq "wait (no arguments) waits for all jobs" "$(cat job1.txt job2.txt job3.txt | tr -d '\n')" "123"
total=0
while read -r a b; do total=$((total + a * b)); done <<EOT
2 3
4 5
EOT
eq "while read from a here-document" "$total" "26"
case "file.tar.gz" in *.gz) kind=gzip ;; *) kind=other ;; esac
eq "case with a glob" "$kind" "gzip"
path=/usr/local/bin/prog
eq "parameter expansion: \${v##*/} \${v%/*} \${#v}" "${path##*/} ${path%/*} ${#path}" "prog /usr/local/bin 19"
set -- a "b c" d
eq "positional parameters and \$#" "$# $2" "3 b c"
eq "\$((...)) arithmetic" "$(( (7 + 3) * 4 / 2 - 1 ))" "19"
check "test and [ ] on files" [ -f out.txt -a ! -e nosuch -a -d . ]
eq "command -v finds an applet" "$(command -v sed >/dev/null && echo yes)" "yes"

# ---- applets ----
printf 'banana\napple\ncherry\napple\n' >fruit.txt
eq "sort" "$(sort fruit.txt | tr '\n' ' ')" "apple apple banana cherry "
eq "sort -u | uniq -c" "$(sort fruit.txt | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" "2apple 1banana 1cherry "
eq "sort -n -r" "$(printf '10\n9\n100\n' | sort -n -r | tr '\n' ' ')" "100 10 9 "
eq "grep -c" "$(grep -c apple fruit.txt)" "2"
eq "grep -v -n" "$(grep -vn apple fruit.txt | tr '\n' ' ')" "1:banana 3:cherry "
eq "grep -E alternation" "$(grep -E '^(ch|ba)' fruit.txt | wc -l)" "2"
eq "sed substitution" "$(echo 'hello world' | sed 's/o/0/g')" "hell0 w0rld"
eq "sed -n with an address range" "$(sed -n '2,3p' fruit.txt | tr '\n' ' ')" "apple cherry "
eq "awk sums a column" "$(printf '1 x\n2 y\n3 z\n' | awk '{s += $1} END {print s}')" "6"
eq "awk -F and printf" "$(echo 'a:b:c' | awk -F: '{printf "%s-%s\n", $3, $1}')" "c-a"
eq "cut, tr, head, tail" "$(echo 'a,b,c' | cut -d, -f2 | tr b B)$(seq 1 10 | tail -n 2 | head -n 1)" "B9"
eq "md5sum" "$(echo hello | md5sum | cut -d' ' -f1)" "b1946ac92492d2347c6235b4d2611184"
eq "sha256sum" "$(printf abc | sha256sum | cut -c1-16)" "ba7816bf8f01cfea"
eq "wc -c -w" "$(printf 'one two three\n' | wc -w) $(printf 'abc' | wc -c)" "3 3"
eq "xargs" "$(printf '1\n2\n3\n' | xargs echo n:)" "n: 1 2 3"
eq "xargs -n 1" "$(printf 'a b\n' | xargs -n 1 echo | wc -l)" "2"
mkdir -p tree/a/b tree/c
touch tree/a/one.txt tree/a/b/two.txt tree/c/three.log
eq "find -name" "$(find tree -name '*.txt' | sort | tr '\n' ' ')" "tree/a/b/two.txt tree/a/one.txt "
eq "find -type d" "$(find tree -type d | wc -l)" "4"
cp fruit.txt copy.txt
check "cp copies (cmp)" cmp -s fruit.txt copy.txt
mv copy.txt moved.txt
check "mv renames" [ -f moved.txt -a ! -e copy.txt ]
ln -s moved.txt link.txt
eq "ln -s and readlink" "$(readlink link.txt)" "moved.txt"
eq "cat through the symlink" "$(head -n 1 link.txt)" "banana"
ln moved.txt hard.txt
eq "ln makes a hard link (stat %h)" "$(stat -c %h moved.txt)" "2"
rm moved.txt hard.txt link.txt
check "rm removes them" [ ! -e moved.txt -a ! -e hard.txt -a ! -L link.txt ]
chmod 750 fruit.txt
eq "chmod 750, stat -c %a" "$(stat -c %a fruit.txt)" "750"
eq "stat -c '%s %F'" "$(stat -c '%s %F' fruit.txt)" "26 regular file"
matches "ls -l: mode, links, size, name" "$(ls -l fruit.txt)" '^-rwxr-x--- +1 +[a-z0-9]+ +[a-z0-9]+ +26 .* fruit\.txt$'
eq "ls -a sorts names" "$(ls -a tree | tr '\n' ' ')" ". .. a c "
matches "du -s prints a size and the name" "$(du -s tree)" '^[0-9]+[[:space:]]+tree$'
tar -cf t.tar tree
eq "tar -c then -t lists the tree" "$(tar -tf t.tar | sort | tr '\n' ' ')" "tree/ tree/a/ tree/a/b/ tree/a/b/two.txt tree/a/one.txt tree/c/ tree/c/three.log "
mkdir x && tar -xf t.tar -C x
check "tar -x recreates it" [ -f x/tree/a/b/two.txt -a -d x/tree/c ]
seq 1 2000 >nums.txt
gzip -c nums.txt >nums.gz
check "gzip compresses (smaller)" [ "$(wc -c <nums.gz)" -lt "$(wc -c <nums.txt)" ]
eq "gunzip -c gives the data back" "$(gunzip -c nums.gz | md5sum | cut -d' ' -f1)" "$(md5sum <nums.txt | cut -d' ' -f1)"
tar -czf t.tgz tree && eq "tar -z round trip" "$(tar -tzf t.tgz | wc -l)" "7"
eq "date -u -d @0" "$(date -u -d @0)" "Thu Jan  1 00:00:00 UTC 1970"
check "date +%Y is after 2020 (the clock is set)" [ "$(date +%Y)" -ge 2020 ]
matches "date's shape" "$(date)" '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+ [0-9]{4}$'
t0=$(date +%s)
sleep 1
t1=$(date +%s)
check "sleep 1 takes 1 or 2 seconds" [ $((t1 - t0)) -ge 1 -a $((t1 - t0)) -le 2 ]
if on_linnet || [ -z "$BB_QEMU_USER" ]; then
    t0=$(date +%s)
    timeout 1 sleep 5
    st=$?
    t1=$(date +%s)
    eq "timeout 1 sleep 5 kills it: status 143" "$st" "143"
    check "timeout returns after about 1 s" [ $((t1 - t0)) -le 3 ]
else
    # busybox's timeout re-executes /proc/self/exe, which qemu-user cannot do.
    skip "timeout 1 sleep 5 kills it: status 143" "qemu-user cannot exec /proc/self/exe"
    skip "timeout returns after about 1 s" "qemu-user cannot exec /proc/self/exe"
fi
matches "id" "$(id)" '^uid=[0-9]+\([a-z0-9_]+\) gid=[0-9]+'
eq "uname -s -m" "$(uname -s -m)" "Linux aarch64"
matches "ps lists processes" "$(ps)" '^ *PID +USER +(TIME +)?(COMMAND|CMD)'
matches "ps shows this shell" "$(ps | grep -v grep | grep -c sh)" '^[1-9]'
matches "free: the memory table" "$(free)" 'Mem: +[0-9]+ +[0-9]+ +[0-9]+'
matches "uptime" "$(uptime)" 'up .*load average: [0-9]+\.[0-9]+, [0-9]+\.[0-9]+, [0-9]+\.[0-9]+$'
if dmesg >dmesg.txt 2>dmesg.err; then
    check "dmesg prints the kernel log" [ -s dmesg.txt ]
elif on_linnet; then
    check "dmesg prints the kernel log" false
else
    # A host with kernel.dmesg_restrict=1 refuses an unprivileged reader; so would Linux.
    check "dmesg prints the kernel log" grep -q "not permitted" dmesg.err
fi
matches "hostname" "$(hostname)" '^[A-Za-z0-9._-]+$'
eq "env shows an exported variable" "$(export BBVAR=1; env | grep -c '^BBVAR=1$')" "1"

cd / && rm -rf "$dir"
check "rm -rf the scratch directory" [ ! -e "$dir" ]
echo "1..$n"
[ "$fail" = 0 ]
