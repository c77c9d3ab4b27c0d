#!/usr/bin/env bash
# Real containers on real (namespaced) nodes: scripts/lab with 2 nodes, node agents running
# pods with runc. The seed's nginx RC serves its welcome page across nodes; the limits example
# gets its cgroup values; a hostPath volume shows the host's file; an earlier service's
# variables reach a later pod; a killed container restarts; a kill -9'd agent leaves its
# containers running and adopts them; a node cut off from the fabric goes NotReady and its pods
# are recreated on the other node; a node with a bad token never appears; kubectl exec (exit
# codes, stdin, a terminal), cp and port-forward work; readiness probes
# decide endpoints and liveness probes restart, with their events; deleted pods get their grace
# period and leave nothing behind (volumes: lab_volumes_test.sh). Needs root (network namespaces, runc). Usage: lab_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
export CAPSTAN_LAB_GRACE=4s CAPSTAN_LAB_EVICTION=4s
source "$src/tests/e2e/lab_helpers.sh"
running_on() { k get pods -o wide --no-headers 2>/dev/null | grep -E "^$1" | grep -cE " Running .* $2( |$)"; }
running() { k get pods --no-headers 2>/dev/null | grep -E "^$1" | grep -c ' Running '; }
pod_on() { k get pods -o wide --no-headers | grep -E "^$1" | awk -v n="$2" '$7 == n {print $1}' | head -1; }

# The seed's nginx RC: real nginx on both nodes.
echo "copied in" >"$work/greeting-src"
k create -f "$src/examples/nginx/nginx-rc.yaml" >/dev/null
check "nginx runs on node1" wait_for "nginx on node1" 60 equals 1 running_on nginx-controller node1
check "nginx runs on node2" wait_for "nginx on node2" 60 equals 1 running_on nginx-controller node2
pod1=$(pod_on nginx-controller node1)
ip1=$(field "$pod1" '{.status.podIP}')
check "the pod has an IP of node1's pod network" test -n "$ip1"
check "node2 reaches the pod on node1 and gets the nginx welcome page" sh -c "bash '$src/scripts/lab' on node2 curl -s -m 5 http://$ip1/ | grep -q 'Welcome to nginx!'"
k logs "$pod1" >"$work/out" 2>&1
check "kubectl logs shows nginx's access log" grep -q '"GET / HTTP/1.1" 200' "$work/out"
timeout 3 bash "$src/scripts/lab" on master "$(dirname "$capstan")/capstanctl" \
  --kubeconfig "$CAPSTAN_LAB/master/admin.kubeconfig" logs "$pod1" -f >"$work/out" 2>&1
check "capstanctl logs -f streams the log" grep -q '"GET / HTTP/1.1" 200' "$work/out"

# kubectl exec (WebSocket v5 through the master to runc exec on node1): stdout and stderr apart,
# the command's exit code, stdin, a terminal, an unknown container; kubectl cp both ways.
k exec "$pod1" -- sh -c 'echo out; echo err >&2' >"$work/out" 2>"$work/err"
check "kubectl exec prints the command's stdout" grep -qx out "$work/out"
check "and its stderr, apart" grep -qx err "$work/err"
exec_code() { k exec "$pod1" -- sh -c "exit $1" >/dev/null 2>&1; echo $?; }
check "kubectl exec exits with the command's exit code (3)" equals 3 exec_code 3
check "and 0 for 0" equals 0 exec_code 0
echo "piped in" | k exec -i "$pod1" -- cat >"$work/out" 2>&1
check "stdin reaches the command (exec -i) and its end ends it" grep -qx "piped in" "$work/out"
k exec "$pod1" -c nosuch -- true >"$work/out" 2>&1
check "an unknown container is a clear error" grep -q "container nosuch is not valid" "$work/out"
# A terminal: kubectl exec -it under script(1), which gives kubectl a terminal of its own.
kubectl_line="bash '$src/scripts/lab' kubectl exec -it $pod1 -- sh"
printf 'echo answer $((6*7)); tty; exit 5\n' |
  script -qec "$kubectl_line" /dev/null >"$work/out" 2>&1
tty_code=$?
check "exec -it is a shell on a terminal" grep -q "answer 42" "$work/out"
check "whose tty is a pseudo-terminal" grep -q "/dev/pts/" "$work/out"
check "and its exit code is kubectl's (5)" equals 5 echo "$tty_code"
k cp "$work/greeting-src" "default/$pod1:/tmp/greeting" >"$work/out" 2>&1
check "kubectl cp copies a file into the container" equals "copied in" k exec "$pod1" -- cat /tmp/greeting
k cp "default/$pod1:/etc/nginx/nginx.conf" "$work/nginx.conf" >"$work/out" 2>&1
check "and out of it" grep -q "worker_processes" "$work/nginx.conf"

on master /usr/bin/python3 "$src/tests/e2e/python_exec.py" "$CAPSTAN_LAB/master/admin.kubeconfig" \
  "$pod1" >"$work/out" 2>&1
check "the Python client's stream runs it too: stdout" grep -qx "stdout=out" "$work/out"
check "stderr" grep -qx "stderr=err" "$work/out"
check "and the exit code" grep -qx "exit=4" "$work/out"

# kubectl port-forward (SPDY/3.1 in a WebSocket, through the master to a connection made inside
# the pod's network namespace on node1), from the master's namespace: nginx answers on a local
# port, several connections at once, 2 MB arrive intact; a port nobody listens on is an error
# on its stream that kubectl reports (and, as kubectl 1.32 does, exits on), not a hang.
k exec "$pod1" -- sh -c 'head -c 2097152 /dev/urandom >/usr/share/nginx/html/big; md5sum /usr/share/nginx/html/big' |
  awk '{print $1}' >"$work/big.md5"
setsid bash "$src/scripts/lab" kubectl port-forward "$pod1" 18080:80 >"$work/pf.log" 2>&1 &
pf=$!
forwarding() { grep -q "Forwarding from 127.0.0.1:18080 -> 80" "$work/pf.log" 2>/dev/null; }
check "kubectl port-forward listens" wait_for "Forwarding from" 20 forwarding
check "nginx answers through it" sh -c "bash '$src/scripts/lab' on master curl -s -m 10 http://127.0.0.1:18080/ | grep -q 'Welcome to nginx!'"
for i in 1 2 3 4 5 6; do
  on master curl -s -m 20 -o "$work/pf-$i" http://127.0.0.1:18080/big &
done
wait_jobs() { for j in $(jobs -p); do [ "$j" = "$pf" ] || wait "$j"; done; }
wait_jobs
pf_intact() { local n=0 i; for i in 1 2 3 4 5 6; do [ "$(md5sum <"$work/pf-$i" | awk '{print $1}')" = "$(cat "$work/big.md5")" ] && n=$((n + 1)); done; echo $n; }
check "six connections at once each get the 2 MB file intact" equals 6 pf_intact
kill -- -"$pf" 2>/dev/null; wait "$pf" 2>/dev/null
# The same session directly on the connection (POST, Upgrade: SPDY/3.1), as kubectl speaks it
# with its WebSocket dialer turned off and as clients before 1.31 do.
KUBECTL_PORT_FORWARD_WEBSOCKETS=false setsid bash "$src/scripts/lab" kubectl port-forward -v=6 \
  "$pod1" 18082:80 >"$work/pf-spdy.log" 2>&1 &
pf=$!
forwarding_spdy() { grep -q "Forwarding from 127.0.0.1:18082 -> 80" "$work/pf-spdy.log" 2>/dev/null; }
check "kubectl port-forward over a direct SPDY upgrade listens" wait_for "Forwarding from (SPDY)" 20 forwarding_spdy
check "after a POST answered 101" grep -q "POST .*/portforward.* 101 Switching Protocols" "$work/pf-spdy.log"
rm -f "$work"/pf-[123]
for i in 1 2 3; do
  on master curl -s -m 20 -o "$work/pf-$i" http://127.0.0.1:18082/big &
done
wait_jobs
pf_spdy_intact() { local n=0 i; for i in 1 2 3; do [ "$(md5sum <"$work/pf-$i" | awk '{print $1}')" = "$(cat "$work/big.md5")" ] && n=$((n + 1)); done; echo $n; }
check "three connections at once each get the 2 MB file intact over it" equals 3 pf_spdy_intact
kill -- -"$pf" 2>/dev/null; wait "$pf" 2>/dev/null
setsid bash "$src/scripts/lab" kubectl port-forward "$pod1" 18081:81 >"$work/pf81.log" 2>&1 &
pf=$!
forwarding81() { grep -q "Forwarding from 127.0.0.1:18081 -> 81" "$work/pf81.log" 2>/dev/null; }
check "a port-forward to a port nobody listens on starts" wait_for "Forwarding from (81)" 20 forwarding81
on master curl -s -m 10 http://127.0.0.1:18081/ >/dev/null 2>&1
pf81_error() { grep -q "error forwarding port 81 to pod $pod1: failed to connect to localhost:81 inside the pod's network namespace" "$work/pf81.log"; }
check "a connection to it is an error saying why" wait_for "the forwarding error" 20 pf81_error
pf_gone() { kill -0 "$pf" 2>/dev/null && echo running || echo exited; }
check "and kubectl ends rather than hangs" wait_for "kubectl's end" 20 equals exited pf_gone
kill -- -"$pf" 2>/dev/null; wait "$pf" 2>/dev/null

# kubectl attach: the container's output from then on (nginx logs the request made meanwhile).
timeout 8 bash "$src/scripts/lab" kubectl attach "$pod1" >"$work/attach" 2>&1 &
attach_pid=$!
attached() { on node2 curl -s -m 2 -o /dev/null "http://$ip1/attach-marker"; grep -q attach-marker "$work/attach"; }
check "kubectl attach streams what the container writes" wait_for "the marker in attach" 6 attached
kill "$attach_pid" 2>/dev/null; wait "$attach_pid" 2>/dev/null
k attach -i "$pod1" >"$work/out" 2>&1
check "attach -i is refused with the reason" grep -q "runs without stdin" "$work/out"

# A killed container restarts and RESTARTS counts it.
uid1=$(field "$pod1" '{.metadata.uid}')
kill -KILL "$(cat "$CAPSTAN_LAB/node1/pods/$uid1/containers/nginx/pid")"
restarts() { field "$pod1" '{.status.containerStatuses[0].restartCount}'; }
check "a killed container is restarted (RESTARTS 1)" wait_for "a restart" 30 equals 1 restarts
check "and runs again" wait_for "Running again" 30 equals 1 running_on "$pod1" node1

# kill -9 of the agent: the containers keep running; the restarted agent adopts them.
lab node-kill 1
check "nginx still answers with its agent dead" sh -c "bash '$src/scripts/lab' on node2 curl -s -m 5 http://$ip1/ | grep -q 'Welcome to nginx!'"
lab node-start 1
check "the restarted agent adopts the container (no new restart)" wait_for "adoption" 30 grep -q "adopted pod default/$pod1" "$CAPSTAN_LAB/node1.log"
steady_pod() { test "$(restarts)" = 1 && test "$(field "$pod1" '{.status.phase}')" = Running; }
check "RESTARTS stays 1 and the pod Running" wait_for "steady pod" 10 steady_pod

# The limits example: cpu 0.5 -> shares 512 and a 50 ms quota; memory 128Mi.
k create -f "$src/examples/guestbook/redis-master-service.yaml" >/dev/null
k create -f "$src/examples/ops/redis-master-limits.yaml" >/dev/null
check "the limited redis-master runs" wait_for "redis-master" 60 equals 1 running redis-master
master_pod=$(k get pods -o name | grep redis-master | head -1)
short=$(field "${master_pod#pod/}" '{.metadata.uid}' | tr -d - | cut -c1-12)
check "cpu shares = 0.5 x 1024" equals 512 cat "/sys/fs/cgroup/cpu/capstan/$short/master/cpu.shares"
check "cpu quota = 50 ms per 100 ms" equals 50000 cat "/sys/fs/cgroup/cpu/capstan/$short/master/cpu.cfs_quota_us"
check "memory limit = 128Mi" equals 134217728 cat "/sys/fs/cgroup/memory/capstan/$short/master/memory.limit_in_bytes"

# A later pod sees the earlier service's variables; a hostPath volume shows the host's file.
echo "from the host" >"$work/greeting"
cat >"$work/probe.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: probe
spec:
  restartPolicy: Never
  volumes:
  - name: host
    hostPath:
      path: $work
  containers:
  - name: probe
    image: busybox
    command: ["sh", "-c", "env; cat /host/greeting"]
    volumeMounts:
    - name: host
      mountPath: /host
YAML
k create -f "$work/probe.yaml" >/dev/null
phase() { field probe '{.status.phase}'; }
check "the probe pod runs to completion" wait_for "probe Succeeded" 60 equals Succeeded phase
k logs probe >"$work/out" 2>&1
check "REDIS_MASTER_SERVICE_HOST is set" grep -qE '^REDIS_MASTER_SERVICE_HOST=10\.254\.' "$work/out"
check "REDIS_MASTER_PORT_6379_TCP_ADDR is set" grep -qE '^REDIS_MASTER_PORT_6379_TCP_ADDR=10\.254\.' "$work/out"
check "the hostPath file is visible" grep -q "from the host" "$work/out"

# Two containers share the pod's network namespace and an emptyDir volume.
cat >"$work/pair.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  volumes:
  - name: shared
    emptyDir: {}
  containers:
  - name: web
    image: nginx
  - name: reader
    image: busybox
    command: ["sh", "-c", "until timeout 2 wget -qO /shared/page http://127.0.0.1/; do sleep 0.2; done; grep -q 'Welcome to nginx' /shared/page && echo reached nginx; exec sleep 3600"]
    volumeMounts:
    - name: shared
      mountPath: /shared
YAML
k create -f "$work/pair.yaml" >/dev/null
check "both containers of the pod run" wait_for "pair 2/2" 60 equals 2/2 sh -c "bash '$src/scripts/lab' kubectl get pod pair --no-headers | awk '{print \$2}'"
pair_logs() { k logs pair -c reader 2>/dev/null; }
check "the reader reached nginx on localhost and wrote the shared volume" wait_for "the reader's line" 30 equals "reached nginx" pair_logs
k get --raw /api/v1/namespaces/default/pods/pair/log >"$work/out" 2>&1
check "the API asks which container of a two-container pod" grep -q "a container name must be specified for pod pair, choose one of: \[web reader\]" "$work/out"

# An image that exists nowhere: a waiting reason, not a crash.
k run nowhere --image=no-such-image --restart=Never >/dev/null 2>&1 ||
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: nowhere\nspec:\n  containers:\n  - name: c\n    image: no-such-image\n' | k create -f - >/dev/null
waiting_reason() { field nowhere '{.status.containerStatuses[0].state.waiting.reason}'; }
pull_failed() { case $(waiting_reason) in ErrImagePull | ImagePullBackOff) return 0 ;; *) return 1 ;; esac; }
check "a missing image gives ErrImagePull or ImagePullBackOff" wait_for "ErrImagePull" 60 pull_failed
k get pod nowhere --no-headers >"$work/out"
check "get pods shows the pull failure" grep -qE 'ErrImagePull|ImagePullBackOff' "$work/out"

# Probes. Readiness (exec, toggled from the host through a hostPath file) decides the pod's
# READY, its service's endpoints and the node's DNAT rules; a failing liveness probe restarts.
mkdir -p "$work/ready-dir"
cat >"$work/probed.yaml" <<YAML
apiVersion: v1
kind: Service
metadata:
  name: probed
spec:
  selector:
    app: probed
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: probed
  labels:
    app: probed
spec:
  nodeName: node1
  volumes:
  - name: host
    hostPath:
      path: $work/ready-dir
  containers:
  - name: web
    image: nginx
    volumeMounts:
    - name: host
      mountPath: /host
    readinessProbe:
      exec:
        command: ["cat", "/host/ready"]
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: unhealthy
spec:
  containers:
  - name: web
    image: nginx
    livenessProbe:
      tcpSocket:
        port: 81
      periodSeconds: 1
      failureThreshold: 2
YAML
k create -f "$work/probed.yaml" >/dev/null
probed_phase() { field probed '{.status.phase}'; }
check "the probed pod runs" wait_for "probed Running" 60 equals Running probed_phase
probe_failed() { grep -q "Readiness probe of default/probed container web failed" "$CAPSTAN_LAB/node1.log"; }
check "its readiness probe runs and fails (no /host/ready yet)" wait_for "a failed probe" 20 probe_failed
probed_ready() { field probed '{.status.containerStatuses[0].ready}'; }
probed_ip=$(field probed '{.status.podIP}')
endpoint_ips() { k get endpoints probed -o jsonpath='{.subsets[*].addresses[*].ip}' 2>/dev/null; }
has_dnat() { bash "$src/scripts/lab" on node1 iptables-save -t nat | grep -c -- "DNAT --to-destination $probed_ip:80"; }
check "a running pod whose readiness fails is not ready" equals false probed_ready
not_ready_ips() { k get endpoints probed -o jsonpath='{.subsets[*].notReadyAddresses[*].ip}' 2>/dev/null; }
check "its service's endpoints list it as not ready" wait_for "a not-ready address" 20 equals "$probed_ip" not_ready_ips
check "and not as ready" equals "" endpoint_ips
check "nor in node1's rules" equals 0 has_dnat
touch "$work/ready-dir/ready"
check "the probe passing makes it ready" wait_for "probed ready" 20 equals true probed_ready
check "its service's endpoints list it" wait_for "the endpoint" 20 equals "$probed_ip" endpoint_ips
check "node1's rules DNAT to it" wait_for "the DNAT rule" 20 equals 1 has_dnat
rm "$work/ready-dir/ready"
check "the probe failing again makes it not ready in the endpoints" wait_for "not ready again" 20 equals "$probed_ip" not_ready_ips
check "and takes it out of the ready ones" equals "" endpoint_ips
check "and out of node1's rules" wait_for "no DNAT rule" 20 equals 0 has_dnat
unhealthy_restarts() { field unhealthy '{.status.containerStatuses[0].restartCount}'; }
check "a failing liveness probe restarts the container" wait_for "a liveness restart" 60 at_least 1 unhealthy_restarts
check "an Unhealthy event for the failed readiness probe" wait_for "Unhealthy (readiness)" 20 has_event probed "Warning|Unhealthy|node1|Readiness probe failed:"
check "an Unhealthy event for the failed liveness probe" wait_for "Unhealthy (liveness)" 20 has_event unhealthy "|Unhealthy|"
check "a Killing event for the liveness restart" wait_for "Killing" 20 has_event unhealthy "Normal|Killing|"
k describe pod unhealthy >"$work/out" 2>&1
check "kubectl describe lists the pod's Killing event" grep -q "Killing.*failed liveness probe, will be restarted" "$work/out"
k delete pod probed unhealthy --wait=false >/dev/null 2>&1
k delete service probed >/dev/null 2>&1

# Termination: a delete sets deletionTimestamp (the pod shows Terminating), its node sends
# SIGTERM, then SIGKILL after terminationGracePeriodSeconds (5 s here) or the delete's
# --grace-period, and confirms; only then the pod leaves the API. One pod finishes its TERM
# handler (2 s) and goes; two ignore TERM and go only when killed; --force goes at once.
mkdir -p "$work/term"
for name in graceful deaf deaf-long forced; do
  if [ "$name" = graceful ]; then
    handler="trap 'echo TERM >>/host/$name; sleep 2; echo done >>/host/$name; exit 0' TERM"
  else
    handler="trap '' TERM"
  fi
  grace=5
  [ "$name" = deaf-long ] && grace=30
  cat >"$work/$name.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $name
spec:
  nodeName: node1
  terminationGracePeriodSeconds: $grace
  volumes:
  - name: host
    hostPath:
      path: $work/term
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "$handler; echo started >>/host/$name; while true; do sleep 0.2; done"]
    volumeMounts:
    - name: host
      mountPath: /host
YAML
  k create -f "$work/$name.yaml" >/dev/null
done
# Lifecycle hooks: postStart runs once the container started; preStop runs before the SIGTERM
# (the TERM waits for it, failed or not); a failing postStart kills the container.
cat >"$work/hooked.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: hooked
spec:
  nodeName: node1
  terminationGracePeriodSeconds: 10
  volumes:
  - name: host
    hostPath:
      path: $work/term
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap 'echo TERM >>/host/hooked; exit 0' TERM; echo started >>/host/hooked; while true; do sleep 0.2; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo poststart >>/host/hooked"]
      preStop:
        exec:
          command: ["sh", "-c", "echo prestop >>/host/hooked; sleep 1; echo prestop-end >>/host/hooked; exit 1"]
    volumeMounts:
    - name: host
      mountPath: /host
---
apiVersion: v1
kind: Pod
metadata:
  name: bad-start
spec:
  nodeName: node1
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "while true; do sleep 0.2; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "exit 7"]
YAML
k create -f "$work/hooked.yaml" >/dev/null
started() { grep -qx started "$work/term/$1" 2>/dev/null; }
check "the hooked pod runs" wait_for "hooked started" 60 started hooked
check "its postStart hook ran in the container" wait_for "poststart" 20 grep -qx poststart "$work/term/hooked"
bad_start_restarts() { field bad-start '{.status.containerStatuses[0].restartCount}'; }
check "a failing postStart hook gives FailedPostStartHook" wait_for "FailedPostStartHook" 30 has_event bad-start "Warning|FailedPostStartHook|node1|PostStartHook failed:"
check "and its container is killed and restarted" wait_for "a restart" 30 at_least 1 bad_start_restarts
k delete pod hooked --wait=false >/dev/null
check "a deleted pod's preStop hook runs" wait_for "prestop" 15 grep -qx prestop "$work/term/hooked"
check "its SIGTERM follows the hook's end" wait_for "TERM" 15 grep -qx TERM "$work/term/hooked"
hook_order() { grep -E '^(prestop|prestop-end|TERM)$' "$work/term/hooked" | tr '\n' ' '; }
check "and not before (order: $(hook_order))" equals "prestop prestop-end TERM " hook_order
check "the failed preStop hook is an event (FailedPreStopHook)" wait_for "FailedPreStopHook" 20 has_event hooked "Warning|FailedPreStopHook|node1|PreStopHook failed:"
k delete pod bad-start --wait=false >/dev/null 2>&1
for name in graceful deaf deaf-long forced; do
  check "the $name pod runs" wait_for "$name started" 60 started "$name"
done
netns_of() { echo "cp-$(field "$1" '{.metadata.uid}' | tr -d - | cut -c1-12)"; }
graceful_ns=$(netns_of graceful)
deaf_ns=$(netns_of deaf)
netns_gone() { ! ip netns list | grep -q "^$1\b"; }
api_gone() { k get pod "$1" 2>&1 | grep -q NotFound; }
terminating() { k get pod "$1" --no-headers 2>/dev/null | grep -q ' Terminating '; }
k delete pod graceful --wait=false >/dev/null
check "a deleted pod shows Terminating while its node ends it" terminating graceful
check "with its deletionTimestamp set" test -n "$(field graceful '{.metadata.deletionTimestamp}')"
check "the graceful pod gets SIGTERM and time to finish its handler" wait_for "its handler done" 15 grep -qx done "$work/term/graceful"
check "and leaves the API once its node confirmed its end" wait_for "graceful gone" 15 api_gone graceful
check "with nothing left on the node" netns_gone "$graceful_ns"
deleted_at=$(date +%s%N)
k delete pod deaf >/dev/null  # kubectl waits until the pod is gone
waited_ms=$((($(date +%s%N) - deleted_at) / 1000000))
check "the pod ignoring SIGTERM is removed (SIGKILL)" api_gone deaf
check "and gone from the node" netns_gone "$deaf_ns"
within() { [ "$waited_ms" -ge "$1" ] && [ "$waited_ms" -lt "$2" ]; }
check "only after its 5 s grace period (took $waited_ms ms)" within 4500 15000
deleted_at=$(date +%s%N)
k delete pod deaf-long --grace-period=2 >/dev/null
waited_ms=$((($(date +%s%N) - deleted_at) / 1000000))
check "--grace-period=2 shortens a 30 s grace period (took $waited_ms ms)" within 1500 10000
k delete pod forced --grace-period=0 --force >/dev/null 2>&1
check "--grace-period=0 --force removes the pod from the API at once" api_gone forced

# A deleted pod leaves no container, cgroup, namespace or veth.
probe_short=$(field probe '{.metadata.uid}' | tr -d - | cut -c1-12)
probe_node=$(field probe '{.spec.nodeName}')
k delete pod probe >/dev/null
gone() {
  ! ip netns list | grep -q "cp-$probe_short" &&
    ! ls -d /sys/fs/cgroup/*/capstan/"$probe_short" >/dev/null 2>&1 &&
    ! runc --root "$CAPSTAN_LAB/$probe_node/runc" list -q | grep -q "^$probe_short" &&
    ! bash "$src/scripts/lab" on "$probe_node" ip link 2>/dev/null | grep -q "vp$probe_short"
}
check "nothing of the deleted pod is left" wait_for "cleanup" 30 gone

# An address handed to the next pod on the node answers at once: the node's ARP cache does not
# keep the old pod's MAC (no other pod is deleted in between, so the lowest free address returns
# once the first pod is gone from the node: httpd as PID 1 ignores SIGTERM, so after its 1 s
# grace period).
pinned_httpd() {
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  terminationGracePeriodSeconds: 1\n  nodeSelector:\n    kubernetes.io/hostname: node1\n  containers:\n  - name: web\n    image: busybox\n    command: ["sh", "-c", "echo %s > /index.html && exec httpd -f -p 80 -h /"]\n' "$1" "$1" |
    k create -f - >/dev/null
}
pinned_httpd first
check "a pod runs on node1" wait_for "first" 60 equals 1 running_on first node1
first_ip=$(field first '{.status.podIP}')
first_ns="cp-$(field first '{.metadata.uid}' | tr -d - | cut -c1-12)"
check "node1 reaches it" sh -c "bash '$src/scripts/lab' on node1 curl -s -m 3 http://$first_ip/ | grep -qx first"
k delete pod first >/dev/null
first_gone() { ! k get pod first >/dev/null 2>&1; }
check "it is deleted" wait_for "first deleted" 30 first_gone
first_freed() { ! ip netns list | grep -q "^$first_ns\b"; }
check "and gone from node1 (its address free)" wait_for "first's namespace gone" 30 first_freed
pinned_httpd second
check "the next pod runs on node1" wait_for "second" 60 equals 1 running_on second node1
check "it has the freed address" equals "$first_ip" field second '{.status.podIP}'
second_answers() { bash "$src/scripts/lab" on node1 curl -s -m 3 "http://$first_ip/" | grep -qx second; }
check "node1 reaches the new pod at the reused address at once" second_answers

# A wrong token never makes a node: the master refuses to certify it.
sed 's/::.*/::wrong/' "$CAPSTAN_LAB/master/node-token" >"$work/bad-token"
nsenter --net="/run/netns/$CAPSTAN_LAB_PREFIX-node2" "$capstan" node \
  --master 192.168.77.2:6444 --token-file "$work/bad-token" --name intruder --runtime fake \
  --data "$work/intruder" >"$work/bad.log" 2>&1
check "a wrong token is refused" grep -q "refused a certificate for node intruder: HTTP 401" "$work/bad.log"
bash "$src/scripts/lab" kubectl get nodes -o name >"$work/nodes" 2>&1
check "the node list is readable" grep -q "node/node1" "$work/nodes"
check "the intruder is not a node" sh -c "! grep -q intruder '$work/nodes'"

# Cutting node1 off: NotReady, and its pods come back on node2.
ip -n "$CAPSTAN_LAB_PREFIX-fabric" link set vnode1 down
node1_status() { k get node node1 --no-headers | awk '{print $2}'; }
check "node1 goes NotReady" wait_for "NotReady" 30 equals NotReady node1_status
check "nginx is recreated on node2" wait_for "2 nginx on node2" 60 equals 2 running_on nginx-controller node2
finish
