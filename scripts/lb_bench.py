#!/usr/bin/env python3
"""hark bench through the balancer of scripts/cluster.sh, with each node's and HAProxy's CPU read from /proc and the
sessions each node took from its /metrics. Usage: scripts/lb_bench.py LB_PORT [hark bench flags...]
(the cluster's nodes listen on LB_PORT+1..3). Prints a JSON summary; the bench's own JSON goes to stderr."""
import json, os, re, subprocess, sys, time, urllib.request
LB = int(sys.argv[1]); args = sys.argv[2:]
TICK = os.sysconf('SC_CLK_TCK')
def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK
def pids():
    out = {}
    for line in subprocess.run(['pgrep', '-af', 'haproxy -db|node-name node'], capture_output=True, text=True).stdout.splitlines():
        pid, cmd = line.split(' ', 1)
        if 'haproxy' in cmd and 'pgrep' not in cmd: out['haproxy'] = int(pid)
        m = re.search(r'--node-name (node\d)', cmd)
        if m and 'java' in cmd: out[m.group(1)] = int(pid)
    return out
def metric(port, name):
    body = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics').read().decode()
    return sum(float(l.split()[-1]) for l in body.splitlines() if l.startswith(name))
p = pids()
before = {k: cpu(v) for k, v in p.items()}
started = {k: metric(LB + int(k[4:]), 'sessions_started_total') for k in p if k.startswith('node')}
r = subprocess.run(['./hark', 'bench', '--url', f'ws://127.0.0.1:{LB}/ws/live', '--json'] + args, capture_output=True, text=True, cwd='/work/main')
after = {k: cpu(v) for k, v in p.items()}
res = json.loads(r.stdout.strip().splitlines()[-1])
frames = res.get('frames_sent', 0)
print(json.dumps({
  'bench': {k: res[k] for k in res if k in ('sessions','frames_sent','frames_dropped','server_frames_dropped','sessions_refused','sources_shed','sessions_lost_audio','queue_wait_ms_p99','pace_max','client_cpu_s','sessions_with_loss','refused')},
  'sessions_per_node': {k: metric(LB + int(k[4:]), 'sessions_started_total') - started[k] for k in started},
  'cpu_s': {k: round(after[k] - before[k], 2) for k in after},
  'us_per_frame': {k: round((after[k] - before[k]) * 1e6 / frames, 2) for k in after} if frames else {},
}, indent=1))
print({k: res[k] for k in res}, file=sys.stderr)
