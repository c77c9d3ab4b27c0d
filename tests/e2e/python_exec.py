#!/usr/bin/env python3
"""kubectl exec's job through the official Python client's stream (v4.channel.k8s.io): runs
`sh -c 'echo out; echo err >&2; exit 4'` in POD and prints what came on each channel and the
exit code, one per line, for lab_test.sh to check. Usage: python_exec.py KUBECONFIG POD"""
import sys

from kubernetes import client, config
from kubernetes.stream import stream

config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
resp = stream(api.connect_get_namespaced_pod_exec, sys.argv[2], "default",
              command=["sh", "-c", "echo out; echo err >&2; exit 4"],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=20)
print("stdout=" + resp.read_stdout().strip())
print("stderr=" + resp.read_stderr().strip())
print("exit=" + str(resp.returncode))
