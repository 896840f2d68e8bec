/* lossy.bpf.c: a tc ingress filter for t26's router (this kernel has no netem): drops LOSS_PCT
 * percent (given at compile time) of the IPv4 TCP segments that carry data, at random, and passes
 * everything else. On a router's ingress the drop is a loss no TCP can tell from the wire's (on a
 * sender's own egress, Linux would retry the transmission instead). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef LOSS_PCT
#define LOSS_PCT 1
#endif

SEC("tc")
int lossy(struct __sk_buff *skb)
{
	/* A frame from an AF_PACKET transmit ring (synack's net_af_packet) comes with only its
	 * Ethernet header in the linear part, the rest in the ring's pages: pull the headers in
	 * first, or every such frame would pass unseen. */
	bpf_skb_pull_data(skb, skb->len < 128 ? skb->len : 128);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
		return TC_ACT_OK;
	struct tcphdr *th = (void *)ip + ip->ihl * 4;
	if ((void *)(th + 1) > end)
		return TC_ACT_OK;
	unsigned payload = bpf_ntohs(ip->tot_len) - ip->ihl * 4 - th->doff * 4;
	if (payload == 0 || payload > 65535)
		return TC_ACT_OK;
	return bpf_get_prandom_u32() % 1000 < LOSS_PCT * 10 ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
