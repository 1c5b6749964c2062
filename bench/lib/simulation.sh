# Sourced by the bench scripts in their loopback-only stage (inside `unshare -rn`): the network check
# and one `crawler simulate` process per run. Needs $crawler_dll; start_sim passes its extra
# arguments to `crawler simulate`.

require_loopback_only() {
  ip link set lo up
  if ip -o link | grep -v ': lo:' | grep -q .; then
    echo "refusing to run: an interface other than loopback exists" >&2; exit 1
  fi
}

sim_pid="" helper_pids=()
stop_sim() { # the simulation and any helper processes the script registered in helper_pids
  if [[ -n "$sim_pid" ]]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=""; fi
  for p in "${helper_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  helper_pids=()
}
trap stop_sim EXIT

start_sim() { # $1 = run dir (info.json is left there), then `crawler simulate` options
  local dir=$1; shift
  rm -f "$dir/info.json"
  dotnet "$crawler_dll" simulate "$@" --info "$dir/info.json" >"$dir/simulate.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 600); do
    [[ -s "$dir/info.json" ]] && jq -e . "$dir/info.json" >/dev/null 2>&1 && return 0
    kill -0 "$sim_pid" 2>/dev/null || { cat "$dir/simulate.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "simulation did not start" >&2; exit 1
}

wait_listening() { # $1 = port on 127.0.0.1 a helper process was just started on: up to 10 s for it to accept
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 10 s (a helper of the bench did not start)" >&2; exit 1
}

time_field() { # $1 = a /usr/bin/time -v file, $2 = a field label: its value
  grep -F "$2" "$1" | sed 's/.*: //'
}

wall_seconds() { # time -v's wall clock (h:mm:ss or m:ss.cc) in seconds
  awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"
}
