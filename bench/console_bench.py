#!/usr/bin/env python3
"""The console's questions at scale: a master on simulated nodes is filled through its API
(replication controllers of pods, then users scaling them up and down until the journal holds
RECORDS records), then each request a console page makes is timed, as the browser would make it.

Usage: console_bench.py --server https://127.0.0.1:PORT --token TOKEN [--pods 150000]
       [--rc-size 100] [--records 1000000] [--users alice,bob,carol] [--measure-only]
Prints a table and one JSON line. Traffic goes to the --server only (loopback)."""
import argparse
import json
import random
import ssl
import sys
import threading
import time
import http.client
import urllib.parse

def connection(server):
    u = urllib.parse.urlparse(server)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=600)

class client:
    def __init__(self, server, token):
        self.server, self.token, self.conn = server, token, connection(server)

    def call(self, method, path, body=None, content_type='application/json'):
        headers = {'Authorization': 'Bearer ' + self.token, 'Accept': 'application/json'}
        if body is not None:
            headers['Content-Type'] = content_type
            body = json.dumps(body)
        for attempt in range(3):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = connection(self.server)
        raise RuntimeError(f'{method} {path}: no answer')

def rc(name, replicas):
    labels = {'app': name}
    return {'apiVersion': 'v1', 'kind': 'ReplicationController',
            'metadata': {'name': name, 'labels': labels},
            'spec': {'replicas': replicas, 'selector': labels,
                     'template': {'metadata': {'labels': labels},
                                  'spec': {'containers': [{'name': 'web', 'image': 'nginx',
                                      'resources': {'requests': {'cpu': '1m', 'memory': '1Mi'}}}]}}}}

def journal_end(c):
    status, data = c.call('GET', '/capstan/v1/history?limit=1')
    return json.loads(data)['metadata']['journalEnd']

def running_pods(c):
    status, data = c.call('GET', '/capstan/v1/summary')
    return json.loads(data)['pods']['byPhase'].get('Running', 0)

def parallel(n, work):
    errors = []
    def run(i):
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    if errors:
        raise errors[0]

def fill(args):
    rcs = args.pods // args.rc_size
    users = args.users.split(',')
    print(f'filling: {rcs} RCs of {args.rc_size} pods as {", ".join(users)}', flush=True)
    started = time.time()
    def create(worker):
        c = client(args.server, args.tokens[users[worker % len(users)]])
        for i in range(worker, rcs, 8):
            status, data = c.call('POST', '/api/v1/namespaces/default/replicationcontrollers', rc(f'web-{i:05d}', args.rc_size))
            if status not in (201, 409):
                raise RuntimeError(f'create web-{i:05d}: {status} {data[:200]}')
    parallel(8, create)
    c = client(args.server, args.token)
    deadline = time.time() + 1800
    while running_pods(c) < rcs * args.rc_size:
        if time.time() > deadline:
            raise RuntimeError('the pods did not all run within 30 minutes')
        time.sleep(2)
    print(f'  {rcs * args.rc_size} pods running after {time.time() - started:.0f} s; journal at {journal_end(c)}', flush=True)
    # Users scale RCs up and down (each pair adds ~10 pods' records) until the journal is long.
    rng = random.Random(7)
    def churn(worker):
        cw = {u: client(args.server, args.tokens[u]) for u in users}
        while journal_end(cw[users[0]]) < args.records:
            for _ in range(20):
                name = f'web-{rng.randrange(rcs):05d}'
                who = users[rng.randrange(len(users))]
                for replicas in (args.rc_size + 5, args.rc_size):
                    status, data = cw[who].call('PATCH', f'/api/v1/namespaces/default/replicationcontrollers/{name}/scale',
                                               {'spec': {'replicas': replicas}}, 'application/merge-patch+json')
                    if status != 200:
                        raise RuntimeError(f'scale {name}: {status} {data[:200]}')
                    time.sleep(0.05)
    parallel(8, churn)
    while running_pods(c) < rcs * args.rc_size:
        time.sleep(2)
    print(f'  journal at {journal_end(c)} after {time.time() - started:.0f} s', flush=True)

def wait_until_quiet(c):
    # After a restart the simulated nodes, which died with the master, run their pods again and
    # report them (new IPs): measure once the journal has not grown for 5 s.
    deadline, last, since = time.time() + 600, journal_end(c), time.time()
    while time.time() - since < 5:
        if time.time() > deadline:
            raise RuntimeError('the journal still grows after 10 minutes')
        time.sleep(1)
        now = journal_end(c)
        if now != last:
            last, since = now, time.time()
    return last

def measure(args):
    c = client(args.server, args.token)
    end = wait_until_quiet(c)
    rows = []
    def timed(what, path, budget):
        best = None
        size = 0
        for _ in range(3):
            t = time.perf_counter()
            status, data = c.call('GET', path)
            elapsed = time.perf_counter() - t
            if status != 200:
                raise RuntimeError(f'{path}: {status} {data[:300]}')
            best = elapsed if best is None else min(best, elapsed)
            size = len(data)
        rows.append({'what': what, 'seconds': round(best, 4), 'bytes': size, 'budget': budget,
                     'within': best <= budget})
        return json.loads(data)
    pods = timed('pods list (first page of 500)', '/api/v1/pods?limit=500', 1.0)
    timed('nodes list', '/api/v1/nodes', 1.0)
    timed('RC list', '/api/v1/replicationcontrollers', 1.0)
    timed('services list', '/api/v1/services', 1.0)
    timed('summary of the cluster now', '/capstan/v1/summary', 1.0)
    timed('timeline (120 intervals)', '/capstan/v1/timeline?buckets=120', 1.0)
    # A past moment. The master keeps the last one it rebuilt and moves it forward when it can,
    # so asking again measures that: each moment below is asked once, each one rebuilt (earlier
    # than the one before, or with a snapshot between), and the slowest is reported.
    def timed_once(what, paths, budget):
        worst, size, each = 0.0, 0, []
        for path in paths:
            t = time.perf_counter()
            status, data = c.call('GET', path)
            elapsed = time.perf_counter() - t
            if status != 200:
                raise RuntimeError(f'{path}: {status} {data[:300]}')
            worst, size = max(worst, elapsed), len(data)
            each.append(elapsed)
        rows.append({'what': what, 'seconds': round(worst, 4), 'bytes': size, 'budget': budget,
                     'within': worst <= budget, 'each': [round(e, 4) for e in each]})
    console = '&compact=true&summary=true&limitPerKind=5000&kind=replicationcontrollers,services,pods'
    moments = [end // 2, end * 3 // 8, end // 4]
    timed_once(f'a past moment as the console asks, rebuilt (slowest of records {", ".join(map(str, moments))})',
               [f'/capstan/v1/state?at={m}{console}' for m in moments], 2.0)
    moments = [end * 9 // 16, end * 7 // 16, end * 5 // 16]
    timed_once(f'a past moment summarised, rebuilt (slowest of records {", ".join(map(str, moments))})',
               [f'/capstan/v1/summary?at={m}' for m in moments], 2.0)
    timed_once(f'the slider moved on {end // 500:,} records (to {moments[-1] + end // 500}), as the console asks',
               [f'/capstan/v1/state?at={moments[-1] + end // 500}{console}'], 2.0)
    timed_once(f'the same moment asked again', [f'/capstan/v1/state?at={moments[-1] + end // 500}{console}'], 2.0)
    timed_once(f'a past moment, every object (record {end // 2}, compact)', [f'/capstan/v1/state?at={end // 2}&compact=true'], 10.0)
    name = pods['items'][0]['metadata']['name']
    timed('an object\'s history with diffs (a pod)', f'/capstan/v1/history?kind=pods&namespace=default&name={name}&objects=true', 0.2)
    timed('an object\'s history with diffs (an RC)', '/capstan/v1/history?kind=rc&namespace=default&name=web-00007&objects=true&limit=200', 0.2)
    timed('who deleted this? (name search)', '/capstan/v1/history?search=web-00007-&limit=500', 0.5)
    timed(f'what did {args.users.split(",")[0]} do? (newest 1000)', f'/capstan/v1/history?cause={args.users.split(",")[0]}&limit=1000', 0.5)
    timed_once('what changed? (1000 records apart, the earlier moment rebuilt)', [f'/capstan/v1/diff?fromSeq={end - 1000}&toSeq={end}'], 2.0)
    width = max(len(r['what']) for r in rows)
    print(f'\njournal: {end} records')
    print(f'{"request".ljust(width)}  seconds   budget  bytes')
    for r in rows:
        each = f'  (each: {", ".join(f"{e:.3f}" for e in r["each"])})' if len(r.get('each', [])) > 1 else ''
        print(f'{r["what"].ljust(width)}  {r["seconds"]:7.3f}  {r["budget"]:6.2f}  {r["bytes"]}{"" if r["within"] else "  OVER"}{each}')
    print(json.dumps({'bench': 'console', 'records': end, 'requests': rows}))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--server', required=True)
    p.add_argument('--token', required=True)
    p.add_argument('--user-tokens', default='', help='user=token,... for the users who scale')
    p.add_argument('--pods', type=int, default=150000)
    p.add_argument('--rc-size', type=int, default=100)
    p.add_argument('--records', type=int, default=1000000)
    p.add_argument('--users', default='alice,bob,carol')
    p.add_argument('--measure-only', action='store_true')
    args = p.parse_args()
    args.tokens = dict(kv.split('=', 1) for kv in args.user_tokens.split(',') if kv)
    for u in args.users.split(','):
        args.tokens.setdefault(u, args.token)
    if not args.measure_only:
        fill(args)
    measure(args)

if __name__ == '__main__':
    sys.exit(main())
