# bench/lib.sh - what the bench scripts share (sourced): a server on a free port and its logins.

# bench_serve SPOTCHECK DB DIR: starts `SPOTCHECK serve` on DB (log DIR/serve.log), sets $pid and $url
# and waits until it answers. The caller kills $pid (a trap).
bench_serve() {
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$1" serve --db "$2" --listen "127.0.0.1:$port" >"$3/serve.log" 2>&1 &
    pid=$!
    url=http://127.0.0.1:$port
    for _ in $(seq 100); do curl -s -o /dev/null "$url/login" && break; sleep 0.1; done
}

# bench_login USER PASSWORD JAR: logs USER in at $url with the login form's token; prints the
# session token (empty when the login failed).
bench_login() {
    local csrf
    csrf=$(curl -s -c "$3" -b "$3" "$url/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    curl -s -c "$3" -b "$3" -o /dev/null --data-urlencode "username=$1" --data-urlencode "password=$2" \
        --data-urlencode "csrf=$csrf" "$url/login"
    awk '$6 == "sc_session" { print $7 }' "$3"
}
