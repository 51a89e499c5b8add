#!/usr/bin/env bash
# The shipped Kubernetes manifests run code as shipped. For each manifest, the verdict
# container is emulated on this host: its uid and gid, exactly the capabilities it adds (all
# others dropped, from the bounding set too), no_new_privs (allowPrivilegeEscalation: false), a
# read-only root filesystem with its emptyDir volumes as fresh tmpfs mounts (a private mount
# namespace), and its own args (listen addresses moved to loopback). `verdict serve` starts that
# way, and a code group is scored through it — for the sidecar, over its Unix socket by a client
# running as the trainer's uid. The rewards must be what the completions earn, and no process of
# a sandbox uid may outlive the server.
# The manifests' pods run at once, as on one node: their hostPath volumes are this host's
# directories (the node's /run/verdict-uids, where each server holds its slot-uid range), and
# every server has started before any scores and scores before any stops. Their uid ranges
# must be disjoint.
#   k8s_pod_test.sh VERDICT_BINARY MANIFEST...
# Needs root (to become the manifest's uid with only its capabilities), setpriv, unshare and
# PyYAML; exits 77 (skipped) without them.
set -euo pipefail
verdict=$(readlink -f "$1")
shift
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
for tool in setpriv unshare python3; do
  command -v "$tool" > /dev/null || { echo "skipped: no $tool"; exit 77; }
done
python3 -c 'import yaml' 2> /dev/null || { echo "skipped: no PyYAML"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)

# One line of shell assignments describing the verdict container of a manifest.
describe() {
  python3 - "$1" <<'PY'
import shlex, sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if not doc:
        continue
    spec = doc.get("spec", {})
    pod = spec.get("template", {}).get("spec", spec) if doc["kind"] != "Pod" else spec
    containers = pod.get("initContainers", []) + pod.get("containers", [])
    for c in containers:
        if c["name"] != "verdict":
            continue
        psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
        uid = csc.get("runAsUser", psc.get("runAsUser", 0))
        gid = csc.get("runAsGroup", psc.get("runAsGroup", 0))
        caps = csc.get("capabilities", {})
        assert caps.get("drop") == ["ALL"], "the verdict container must drop ALL capabilities"
        # RuntimeDefault seccomp denies namespaces without CAP_SYS_ADMIN; this host may allow
        # them, so the emulation relies on the manifest saying so rather than applying it.
        assert "--sandbox-no-namespaces" in c.get("args", []), \
            "a pod under RuntimeDefault seccomp has no namespaces: pass --sandbox-no-namespaces"
        add = ",".join("+" + a.lower() for a in caps.get("add", []))
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        tmpfs = [m["mountPath"] for m in c.get("volumeMounts", [])
                 if "emptyDir" in vols.get(m["name"], {})]
        host = [vols[m["name"]]["hostPath"]["path"] + "=" + m["mountPath"]
                for m in c.get("volumeMounts", []) if "hostPath" in vols.get(m["name"], {})]
        for m in c.get("volumeMounts", []):
            assert "hostPath" not in vols[m["name"]] or \
                vols[m["name"]]["hostPath"].get("type") == "DirectoryOrCreate", m
        trainer = next((t for t in containers if t["name"] != "verdict"), None)
        tuid = (trainer or {}).get("securityContext", {}).get("runAsUser", psc.get("runAsUser", 0))
        tgroups = [psc.get("runAsGroup", 0)] + ([psc["fsGroup"]] if "fsGroup" in psc else [])
        print(f"uid={uid} gid={gid} caps={shlex.quote('-all' + (',' + add if add else ''))} "
              f"nnp={int(csc.get('allowPrivilegeEscalation', True) is False)} "
              f"ro={int(bool(csc.get('readOnlyRootFilesystem')))} "
              f"tmpfs={shlex.quote(' '.join(tmpfs))} host={shlex.quote(' '.join(host))} "
              f"args={shlex.quote(' '.join(c.get('args', [])))} "
              f"trainer_uid={tuid} trainer_groups={','.join(str(g) for g in tgroups)}")
        sys.exit(0)
sys.exit("no container named verdict in " + sys.argv[1])
PY
}

# Marks this pod as past `step` and waits (60 s at most) for every pod to be past it.
meet() {
  touch "$sync/$1.$pod"
  for _ in $(seq 1 600); do
    [ "$(ls "$sync" | grep -c "^$1\.")" -ge "$pods" ] && return 0
    sleep 0.1
  done
  echo "the other pods did not get past '$1'"
  return 1
}
export -f meet

# Runs inside a private mount namespace: the pod's filesystem, then the server, then a client.
run_pod() {
  set -euo pipefail
  mount --make-rprivate /
  for dir in $tmpfs; do mkdir -p "$dir"; mount -t tmpfs -o size=512m,mode=1777 tmpfs "$dir"; done
  # hostPath: the node's own directory (made by the script, as the kubelet would).
  for pair in $host; do
    mkdir -p "${pair#*=}"
    mount --bind "${pair%%=*}" "${pair#*=}"
  done
  # The pods' meeting point stays writable under the read-only root.
  mount --bind "$sync" "$sync"
  # The server needs a directory it can write its port file to: the first emptyDir.
  scratch=${tmpfs%% *}
  cp "$here/k8s_pod_group.jsonl" "$scratch/group.jsonl"
  if [ "$ro" = 1 ]; then mount -o remount,bind,ro /; fi
  server_args=()
  unix_socket=""
  for a in $args; do
    case "$a" in
      --listen=unix:*) server_args+=("$a"); unix_socket=${a#--listen=unix:} ;;
      --listen=*) server_args+=(--listen=127.0.0.1:0) ;;
      --http-listen=*) server_args+=(--http-listen=127.0.0.1:0) ;;
      *) server_args+=("$a") ;;
    esac
  done
  nnp_flag=()
  [ "$nnp" = 1 ] && nnp_flag=(--no-new-privs)
  setpriv --reuid="$uid" --regid="$gid" --clear-groups --bounding-set="$caps" --inh-caps=-all \
    "${nnp_flag[@]}" "$verdict" serve "${server_args[@]}" --port-file="$scratch/ports" \
    --log-level=info 2> "$scratch/server.log" &
  server=$!
  for _ in $(seq 1 100); do [ -s "$scratch/ports" ] && break; sleep 0.1; done
  [ -s "$scratch/ports" ] || { cat "$scratch/server.log"; echo "server did not start"; exit 1; }
  # The range this server holds (its uid_drop layer): the other pods' must not overlap it.
  grep -o 'uid_drop([^)]*)' "$scratch/server.log" | head -n 1 > "$sync/range.$pod" || true
  meet started
  if [ -n "$unix_socket" ]; then
    address=unix:$unix_socket
    client=(setpriv --reuid="$trainer_uid" --regid="${trainer_groups%%,*}"
            --groups="$trainer_groups" --bounding-set=-all --inh-caps=-all --no-new-privs)
  else
    address=$(grep -v '^unix:\|^http' "$scratch/ports" | head -n 1)
    client=()
  fi
  status=0
  # A bounded wait: a server that cannot kill a run (no CAP_KILL) would hang here.
  timeout 60 "${client[@]}" "$verdict" score --server "$address" --input "$scratch/group.jsonl" \
    --output "$scratch/scored.jsonl" --format none > /dev/null 2>&1 || status=$?
  # Any other uid (a sandboxed program's, nobody's) cannot connect to the sidecar's socket.
  stranger=0
  if [ -n "$unix_socket" ]; then
    timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups --bounding-set=-all --inh-caps=-all \
      --no-new-privs "$verdict" score --server "$address" --input "$scratch/group.jsonl" \
      --output /dev/null --format none > /dev/null 2>&1 || stranger=$?
  fi
  meet scored
  kill -TERM "$server"
  wait "$server" || true
  if [ -n "$unix_socket" ] && [ "$stranger" != 1 ]; then
    echo "uid 65534 reached the sidecar's socket (verdict score exited $stranger, want 1)"
    exit 1
  fi
  if [ "${expect_refusal:-0}" = 1 ]; then
    # Exit 3: the group was rejected (an error result), not scored 0 and not a hang.
    if [ "$status" = 3 ] && grep -q "does not run code" "$scratch/scored.jsonl"; then
      echo "code refused as expected: $(grep -o 'uid_drop: root without [^)]*' "$scratch/server.log" | head -n 1)"
      exit 0
    fi
    cat "$scratch/server.log"
    echo "want the code group refused (exit 3), got exit $status"
    exit 1
  fi
  if [ "$status" != 0 ]; then
    cat "$scratch/server.log"
    echo "verdict score through $address exited $status"
    exit 1
  fi
  python3 - "$scratch/scored.jsonl" <<'PY'
import json, sys
line = json.loads(open(sys.argv[1]).read())
samples = line["verdict"]["samples"]
got = [(s["reward"], s["verdict"]) for s in samples]
want = [(1, "CORRECT"), (0, "WRONG_ANSWER"), (0, "TIME_LIMIT")]
if got != want:
    sys.exit(f"rewards {got}, want {want}; reasons {[s['reason'] for s in samples]}")
print("scored as expected:", got)
PY
}
export -f run_pod

# Outside /tmp, which the pods mount over.
sync=$(mktemp -d /var/tmp/verdict-k8s-pod-test.XXXXXX)
trap 'rm -rf "$sync"' EXIT
status=0
# The pods, at once on this "node"; each one's output is printed when all are done.
pods=$#
pod=0
pids=()
# hostPath, DirectoryOrCreate: the kubelet makes a missing one root's, mode 0755.
for manifest in "$@"; do
  eval "$(describe "$manifest")"
  for pair in $host; do
    [ -d "${pair%%=*}" ] || install -d -m 0755 "${pair%%=*}" ||
      { echo "skipped: cannot create the hostPath ${pair%%=*} on this host"; exit 77; }
  done
done
for manifest in "$@"; do
  pod=$((pod + 1))
  eval "$(describe "$manifest")"
  echo "== pod $pod, $(basename "$manifest"): uid $uid gid $gid capabilities $caps" \
       "no_new_privs $nnp read-only root $ro emptyDirs [$tmpfs] hostPaths [$host] args [$args]"
  export verdict here uid gid caps nnp ro tmpfs host args trainer_uid trainer_groups sync pods pod
  unshare --mount --propagation private bash -c run_pod > "$sync/out.$pod" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then status=1; fi
  echo "-- pod $((i + 1)):"
  cat "$sync/out.$((i + 1))"
done
# Their slot-uid ranges (uid_drop(F+slot, uids F-L ...)) are disjoint.
ranges=$(cat "$sync"/range.* 2> /dev/null | sed -n 's/.*uids \([0-9]*\)-\([0-9]*\).*/\1 \2/p')
echo "uid ranges held at once: $(echo $ranges)"
if [ "$(echo "$ranges" | grep -c .)" != "$pods" ]; then
  echo "want $pods uid ranges, one per pod"
  status=1
elif ! echo "$ranges" | sort -n | awk 'NR > 1 && $1 <= last {exit 1} {last = $2}'; then
  echo "pods of one node hold overlapping uid ranges"
  status=1
fi
# A container that lacks one of those capabilities (here KILL) refuses code at start, with the
# missing capability in its log, instead of hanging on a run it cannot kill.
if [ $# -gt 0 ]; then
  eval "$(describe "$1")"
  caps=$(echo "$caps" | sed 's/,+kill//')
  echo "== $(basename "$1") without CAP_KILL: capabilities $caps"
  pods=1
  pod=refusal
  export verdict here uid gid caps nnp ro tmpfs host args trainer_uid trainer_groups sync pods pod
  if ! expect_refusal=1 unshare --mount --propagation private bash -c run_pod; then
    echo "FAILED: $1 without CAP_KILL"
    status=1
  fi
fi
# Every sandboxed process died with its server: none runs as a uid of the pods' ranges.
left=""
for _ in $(seq 1 50); do
  left=$(echo "$ranges" | while read -r first last; do
    [ -n "$first" ] && ps -eo uid=,pid= | awk -v f="$first" -v l="$last" '$1 >= f && $1 <= l'
  done)
  [ -z "$left" ] && break
  sleep 0.1
done
if [ -n "$left" ]; then
  echo "processes of sandbox uids outlived the server:"
  echo "$left"
  status=1
fi
exit "$status"
