/* shield.bpf.c: a tc ingress filter for the scapy tests (this machine has no nftables): drops the
 * TCP segments addressed to the tester's hand-made ports, 40000..44999, before the tester's kernel
 * sees them, so that it does not reset connections it never opened. Packet sockets (scapy's
 * sniffer) see a frame before tc ingress does, so the test still receives them. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int shield(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return TC_ACT_OK;
	struct tcphdr *th = (void *)(ip + 1);
	if ((void *)(th + 1) > end)
		return TC_ACT_OK;
	unsigned port = bpf_ntohs(th->dest);
	return port >= 40000 && port < 45000 ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
