# Silent-death detection under real packet loss: the simulator and a server
# in two network namespaces joined by veth, traffic dropped by nft (needs
# root, ip and nft; SKIP otherwise). tests/bench/detect.py is the detection
# benchmark (run by hand as root, not in TESTS).
TESTS += tests/netns/silent_drop.py
EXTRA_DIST += tests/netns/silent_drop.py tests/netns/netns_lib.py \
	tests/netns/probe_server.py tests/netns/tcp_client.py tests/bench/detect.py \
	tests/netns/outage_lib.py tests/bench/outage.py
