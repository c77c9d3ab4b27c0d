#!/usr/bin/env bash
# Volumes on real (namespaced) nodes: scripts/lab with 1 node and an NFS server (nfs-ganesha,
# with its own rpcbind) in the master's namespace. A pod's nfs volume is mounted (by the kernel's
# NFS client, or by capstan-node's own in user space where the kernel has none): the container
# reads the server's file and writes one the server sees; a readOnly volume refuses writes; the
# pod's deletion unmounts it and ends the user-space client. An export the server does not have,
# a server that does not answer and a missing hostPath Directory keep their pods
# ContainerCreating with FailedMount events saying why, retried; the hostPath pod starts once its
# directory is there. A Secret and a ConfigMap reach a container as variables and read-only
# files, the files following a change. A pod's Python client reads the API with the pod's
# service-account token. A registry requiring a login serves pods with imagePullSecrets.
# Needs root. Usage: lab_volumes_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
lab_nodes=1
source "$src/tests/e2e/lab_helpers.sh"
master_ip=192.168.77.2
master_ns=$CAPSTAN_LAB_PREFIX-master

# The NFS server: rpcbind and ganesha in the master's namespace, in a mount namespace of their
# own whose /run is private (rpcbind's socket there is not the machine's), stopped by PID.
mkdir -p "$work/export" "$work/ganesha"
echo "from the server" >"$work/export/hello"
mkdir -m 1777 "$work/export/public"
cat >"$work/ganesha/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 3, 4; NFS_Port = 2049; Enable_RQUOTA = false; Enable_NLM = false; }
NFSV4 { Graceless = true; RecoveryRoot = $work/ganesha/recovery; }
EXPORT {
  Export_Id = 1; Path = $work/export; Pseudo = $work/export; Protocols = 3, 4;
  Access_Type = RW; Squash = No_Root_Squash; SecType = sys;
  FSAL { Name = VFS; }
}
CONF
ip netns exec "$master_ns" unshare --mount --propagation private bash -c '
  mount -t tmpfs capstan-nfs-run /run || exit 1
  rpcbind -f & echo $! >"$1/rpcbind.pid"
  for _ in $(seq 50); do [ -S /run/rpcbind.sock ] && break; sleep 0.1; done
  exec ganesha.nfsd -F -L "$1/ganesha.log" -f "$1/ganesha.conf" -p /run/ganesha.pid' \
  _ "$work/ganesha" >"$work/ganesha/out" 2>&1 &
ganesha_pid=$!
private_registry_pid=
extra_cleanup() {
  [ -n "$private_registry_pid" ] && kill "$private_registry_pid" 2>/dev/null
  kill "$ganesha_pid" 2>/dev/null
  [ -f "$work/ganesha/rpcbind.pid" ] && kill "$(cat "$work/ganesha/rpcbind.pid")" 2>/dev/null
  wait "$ganesha_pid" 2>/dev/null
}
exports_mount() { on master rpcinfo -p "$master_ip" 2>/dev/null | grep -q mountd; }
check "the NFS server answers" wait_for "the NFS server" 60 exports_mount ||
  tail -20 "$work/ganesha/out" "$work/ganesha/ganesha.log" 2>/dev/null

# A writer and a reader with readOnly: true, on the server's export.
nfs_pod() { # NAME READ_ONLY PATH COMMAND
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  terminationGracePeriodSeconds: 1\n  volumes:\n  - name: share\n    nfs:\n      server: %s\n      path: %s\n      readOnly: %s\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", %s]\n    volumeMounts:\n    - name: share\n      mountPath: /share\n' \
    "$1" "$master_ip" "$3" "$2" "$4" | k create -f - >/dev/null
}
nfs_pod writer false "$work/export" "'cat /share/hello; echo written by the pod >/share/from-pod; su -s /bin/sh nobody -c \"echo hi >/share/public/by-nobody\"; exec sleep 3600'"
nfs_pod reader true "$work/export" "'cat /share/hello; if echo x >/share/refused; then echo WROTE; else echo REFUSED; fi; exec sleep 3600'"
phase() { field "$1" '{.status.phase}'; }
check "a pod with an nfs volume runs" wait_for "writer Running" 60 equals Running phase writer
log_has() { k logs "$1" 2>/dev/null | grep -qx -- "$2"; }
check "it reads the server's file" wait_for "writer's log" 20 log_has writer "from the server"
server_has_file() { [ "$(cat "$work/export/from-pod" 2>/dev/null)" = "written by the pod" ]; }
check "the server has the file the pod wrote" wait_for "from-pod on the server" 20 server_has_file
owner() { stat -c %u "$work/export/public/by-nobody" 2>/dev/null; }
check "a file written by nobody (65534) in the pod is nobody's on the server" wait_for "by-nobody" 20 equals 65534 owner
check "kubectl exec lists the volume" sh -c "bash '$src/scripts/lab' kubectl exec writer -- ls /share | grep -qx from-pod"
check "a readOnly nfs volume is mounted too" wait_for "reader Running" 60 equals Running phase reader
check "its container reads the server's file" wait_for "reader's log" 20 log_has reader "from the server"
check "and cannot write" wait_for "reader's verdict" 20 log_has reader REFUSED
check "nothing it tried reached the server" test ! -e "$work/export/refused"
# The mount itself is read-only, not only the container's bind of it: the node cannot write.
reader_volume=$CAPSTAN_LAB/node1/pods/$(field reader '{.metadata.uid}')/volumes/share
read_only_mount() { findmnt -no OPTIONS --mountpoint "$reader_volume" | grep -qE '(^|,)ro(,|$)'; }
check "the readOnly volume is mounted read-only on the node" read_only_mount
check "a write there from the node is refused as read-only" sh -c "touch '$reader_volume/from-node' 2>&1 | grep -q 'Read-only file system'"
check "and reached nothing" test ! -e "$work/export/from-node"
lab_mounts() { findmnt -rn -o TARGET | grep -c "^$CAPSTAN_LAB/.*/volumes/share$"; }
check "both volumes are mounted on the node" equals 2 lab_mounts
# The user-space client (where the kernel has none) is a process whose arguments name the target.
kernel_nfs() { grep -qwE 'nfs4?' /proc/filesystems || ls /lib/modules/"$(uname -r)"/kernel/fs/nfs/nfs.ko* >/dev/null 2>&1; }
clients() { pgrep -f -- "nfs-mount.*$CAPSTAN_LAB/" | wc -l; }
kernel_nfs || check "each is served by a user-space client" equals 2 clients
k delete pod writer reader >/dev/null 2>&1
check "deleting the pods unmounts their volumes" wait_for "no mounts" 30 equals 0 lab_mounts
check "and no NFS client process is left" wait_for "no nfs-mount" 10 equals 0 clients
check "the server keeps the pod's file" server_has_file

# An export the server does not have: FailedMount with the server's answer.
nfs_pod no-export false /no/such/export "'exec sleep 3600'"
check "an export the server does not have gives FailedMount" wait_for "FailedMount (no export)" 30 has_event no-export 'Warning|FailedMount|node1|MountVolume.SetUp failed for volume "share" : '
check "naming the export" has_event no-export "/no/such/export"
check "the pod is not Running" equals Pending phase no-export
k delete pod no-export --wait=false >/dev/null 2>&1

# Volumes that cannot be mounted: an nfs volume whose server does not answer (nothing listens on
# the node's 127.0.0.1) and a hostPath Directory that does not exist keep their pods
# ContainerCreating with FailedMount events, retried with back-off; the hostPath pod starts once
# its directory is there.
cat >"$work/volumes.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: nfs-share
spec:
  volumes:
  - name: share
    nfs:
      server: 127.0.0.1
      path: /exports
      readOnly: true
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: share
      mountPath: /share
---
apiVersion: v1
kind: Pod
metadata:
  name: host-dir
spec:
  volumes:
  - name: data
    hostPath:
      path: $work/later
      type: Directory
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "cat /data/note; exec sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
YAML
k create -f "$work/volumes.yaml" >/dev/null
check "an unmountable nfs volume gives FailedMount" wait_for "FailedMount (nfs)" 30 has_event nfs-share 'Warning|FailedMount|'
check "saying which volume and why" has_event nfs-share 'MountVolume.SetUp failed for volume "share" : '
# Where the kernel has no NFS client (these machines), the event says so.
kernel_nfs || check "saying the kernel has no NFS client" has_event nfs-share "has no NFS client"
nfs_phase() { field nfs-share '{.status.phase}'; }
nfs_waiting() { field nfs-share '{.status.containerStatuses[0].state.waiting.reason}'; }
check "the nfs pod is not Running" equals Pending nfs_phase
check "its container waits ContainerCreating" equals ContainerCreating nfs_waiting
check "a missing hostPath Directory gives FailedMount" wait_for "FailedMount (hostPath)" 30 has_event host-dir "hostPath type check failed: $work/later is not a directory"
k describe pod host-dir >"$work/out" 2>&1
check "kubectl describe shows the FailedMount" grep -q "FailedMount.*hostPath type check failed" "$work/out"
host_dir_phase() { field host-dir '{.status.phase}'; }
check "the hostPath pod is not Running" equals Pending host_dir_phase
mkdir -p "$work/later" && echo "mounted at last" >"$work/later/note"
check "it starts once the directory is there (the retry)" wait_for "host-dir Running" 60 equals Running host_dir_phase
host_dir_log() { k logs host-dir 2>/dev/null; }
check "and sees the directory" wait_for "its log" 20 equals "mounted at last" host_dir_log
nfs_count() { k get events -o jsonpath='{range .items[?(@.involvedObject.name=="nfs-share")]}{.count}{"\n"}{end}' 2>/dev/null | sort -n | tail -1; }
check "the nfs mount is retried (the event counts the attempts)" wait_for "a second attempt" 20 at_least 2 nfs_count
check "the nfs pod is still not Running" equals Pending nfs_phase
k delete pod nfs-share host-dir --wait=false >/dev/null 2>&1

# Secrets and ConfigMaps in a real container: variables (valueFrom, envFrom with a prefix) and
# read-only volumes (all keys with a defaultMode; items with a path), the configMap volume's
# file rewritten in place when the ConfigMap changes, the variable kept as it started.
secret_value="s-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
check "a Secret" k create secret generic db --from-literal=password="$secret_value" --from-literal=user=app
check "a ConfigMap" k create configmap settings --from-literal=LOG_LEVEL=debug --from-literal=greeting=hello
cat >"$work/config-pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: configured
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: creds
    secret: {secretName: db, defaultMode: 0400}
  - name: conf
    configMap:
      name: settings
      items: [{key: greeting, path: text/greeting.txt}]
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: DB_PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
    envFrom:
    - prefix: CFG_
      configMapRef: {name: settings}
    volumeMounts:
    - {name: creds, mountPath: /etc/creds}
    - {name: conf, mountPath: /etc/conf}
YAML
check "a pod taking both" k create -f "$work/config-pod.yaml"
configured_phase() { field configured '{.status.phase}'; }
check "runs" wait_for "configured Running" 60 equals Running configured_phase
in_pod() { k exec configured -- sh -c "$1" 2>/dev/null; }
check "the Secret's key is its variable" equals "$secret_value" in_pod 'echo $DB_PASSWORD'
check "the ConfigMap's keys are variables with the prefix" equals "debug hello" in_pod 'echo $CFG_LOG_LEVEL $CFG_greeting'
check "the Secret's keys are files" equals "$secret_value" in_pod 'cat /etc/creds/password'
check "with the defaultMode" equals 400 in_pod 'stat -L -c %a /etc/creds/user'
check "an item is at its path" equals hello in_pod 'cat /etc/conf/text/greeting.txt'
check "a key not in items is absent" equals absent in_pod 'test -e /etc/conf/LOG_LEVEL && echo present || echo absent'
creds_dir() { echo "$CAPSTAN_LAB/node1/pods/$(field configured '{.metadata.uid}')/volumes/creds"; }
creds_fstype() { findmnt -no FSTYPE --mountpoint "$(creds_dir)"; }
check "the Secret's files are in a tmpfs on the node, never on its disk" equals tmpfs creds_fstype
check "the Secret's volume is read-only" equals refused in_pod '(echo x >/etc/creds/new) 2>/dev/null && echo wrote || echo refused'
check "the ConfigMap changes" k patch configmap settings -p '{"data":{"greeting":"changed"}}'
greeting() { in_pod 'cat /etc/conf/text/greeting.txt'; }
check "the mounted file follows" wait_for "the new greeting" 30 equals changed greeting
check "the variable keeps the value it started with" equals hello in_pod 'echo $CFG_greeting'
check "the master's journal is where the test looks" test -d "$CAPSTAN_LAB/master/journal"
check "the Secret's value is not in the master's journal" sh -c "! grep -rqa -- '$secret_value' '$CAPSTAN_LAB/master/journal'"
k delete pod configured >/dev/null 2>&1
creds_mounts() { findmnt -rn -o TARGET | grep -c "/volumes/creds$"; }
check "deleting the pod unmounts the Secret's tmpfs" wait_for "no creds mount" 30 equals 0 creds_mounts

# A program in a pod uses the API with its service account: the Python client's
# load_incluster_config() finds KUBERNETES_SERVICE_HOST/PORT, the token and ca.crt where
# Kubernetes puts them, and reaches the API through the `kubernetes` Service (the node's proxy
# and its masquerade of pod traffic leaving the pod networks). The account may list pods (view
# granted to it), not Secrets. Python and its client come from the node's /usr (hostPath).
check "view for default's service account" k create rolebinding default-view --clusterrole=view --serviceaccount=default:default
cat >"$work/incluster.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: incluster
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: usr, hostPath: {path: /usr}}
  containers:
  - name: c
    image: busybox
    # busybox's image has no dynamic loader: the node's, by its path under /usr.
    command:
    - /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
    - /usr/bin/python3
    - -c
    - |
      from kubernetes import client, config
      config.load_incluster_config()
      v1 = client.CoreV1Api()
      names = sorted(p.metadata.name for p in v1.list_namespaced_pod("default").items)
      print("pods:", " ".join(names))
      try:
          v1.list_namespaced_secret("default")
          print("secrets: listed")
      except client.exceptions.ApiException as e:
          print("secrets:", e.status)
    env:
    - {name: LD_LIBRARY_PATH, value: /usr/lib/x86_64-linux-gnu}
    volumeMounts:
    - {name: usr, mountPath: /usr, readOnly: true}
YAML
check "a pod running the Python client in-cluster" k create -f "$work/incluster.yaml"
incluster_phase() { field incluster '{.status.phase}'; }
check "completes" wait_for "incluster Succeeded" 90 equals Succeeded incluster_phase ||
  k logs incluster 2>&1 | tail -20
incluster_said() { k logs incluster 2>/dev/null | grep -qxE -- "$1"; }
check "it listed the pods with its token" incluster_said 'pods: .*incluster.*'
check "and was refused the Secrets (403)" incluster_said 'secrets: 403'

# A registry that requires a login (docker-registry with htpasswd, in the master's namespace on
# port 5001): a pod pulls from it with a docker-registry Secret in its imagePullSecrets, or in
# its service account's; without one the pull is refused (ErrImagePull, the registry's words).
registry_password="p-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/private-registry/data"
htpasswd -Bbn puller "$registry_password" >"$work/private-registry/htpasswd"
cat >"$work/private-registry/config.yml" <<CONF
version: 0.1
storage: {filesystem: {rootdirectory: $work/private-registry/data}}
http: {addr: $master_ip:5001}
auth: {htpasswd: {realm: capstan-lab, path: $work/private-registry/htpasswd}}
CONF
ip netns exec "$master_ns" docker-registry serve "$work/private-registry/config.yml" \
  >"$work/private-registry/log" 2>&1 &
private_registry_pid=$!
registry_refuses() { equals 401 on master curl -s -o /dev/null -w '%{http_code}' "http://$master_ip:5001/v2/"; }
check "a registry that requires a login" wait_for "the private registry" 30 registry_refuses
push_private() {
  ip netns exec "$master_ns" skopeo copy --quiet --dest-tls-verify=false \
    --dest-creds "puller:$registry_password" "oci:${CAPSTAN_IMAGES:-/var/lib/capstan/images}/busybox:latest" \
    "docker://$master_ip:5001/private/$1:latest"
}
push_both() { push_private app && push_private tool; }
check "holds two images" push_both
private_pod() { # NAME IMAGE [SERVICE_ACCOUNT] [PULL_SECRET]
  local extra=""
  [ -n "${3:-}" ] && extra+="  serviceAccountName: $3"$'\n'
  [ -n "${4:-}" ] && extra+="  imagePullSecrets: [{name: $4}]"$'\n'
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  terminationGracePeriodSeconds: 1\n%s  containers:\n  - name: c\n    image: %s\n    command: ["sleep", "3600"]\n' \
    "$1" "$extra" "$master_ip:5001/private/$2" | k create -f - >/dev/null
}
private_pod no-login app
no_login_message() { field no-login '{.status.containerStatuses[0].state.waiting.message}'; }
refused_pull() { no_login_message | grep -q 'authentication required'; }
check "without credentials the pull is refused, in the registry's words" wait_for "a refused pull" 60 refused_pull
check "a docker-registry Secret" k create secret docker-registry regcred --docker-server="$master_ip:5001" --docker-username=puller --docker-password="$registry_password"
private_pod with-login app "" regcred
with_login_phase() { field with-login '{.status.phase}'; }
check "a pod naming it in imagePullSecrets pulls and runs" wait_for "with-login Running" 60 equals Running with_login_phase
check "a service account with the Secret as its imagePullSecrets" k create serviceaccount puller
check "(patched in)" k patch serviceaccount puller -p '{"imagePullSecrets":[{"name":"regcred"}]}'
private_pod by-account tool puller
check "a pod of that account gets them" equals regcred field by-account '{.spec.imagePullSecrets[0].name}'
by_account_phase() { field by-account '{.status.phase}'; }
check "and pulls an image no pod pulled before" wait_for "by-account Running" 60 equals Running by_account_phase
auth_files() { find "$CAPSTAN_LAB/node1" -name '.pull-auth-*' | wc -l; }
check "no credentials file is left on the node" equals 0 auth_files
k delete pod no-login with-login by-account --wait=false >/dev/null 2>&1


finish
