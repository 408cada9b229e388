import { hostByName, networkByName, type Lab } from '@lab/shared';
import { leaf, node, tagNode, type ConfigNode } from '../index.js';

type Gateway = NonNullable<Lab['gateway']>;

/** `nat source`: masquerade each lab range out of its port. */
export function renderNat(gw: Gateway): ConfigNode | undefined {
  if (gw.nat.masquerade.length === 0) return undefined;
  return node('nat', [
    node(
      'source',
      gw.nat.masquerade.map((m, i) =>
        tagNode('rule', String(100 + i * 10), [
          node('outbound-interface', [leaf('name', m.outbound)]),
          node('source', [leaf('address', m.source)]),
          node('translation', [leaf('address', 'masquerade')]),
        ]),
      ),
    ),
  ]);
}

/** `protocols`: BGP towards the platform nodes, and static routes. */
export function renderProtocols(lab: Lab, gw: Gateway): ConfigNode | undefined {
  const children: ConfigNode[] = [];
  if (gw.bgp) {
    const bgp = gw.bgp;
    const neighbors = bgp.peers.map((peer) => {
      const address = peer.address ?? (peer.host ? hostByName(lab, peer.host).addresses[0]?.address : undefined);
      if (!address) throw new Error(`BGP peer ${peer.host ?? '?'} has no address (the lab was not validated)`);
      return tagNode(
        'neighbor',
        address,
        [
          node('address-family', [node('ipv4-unicast', [])]),
          ...(peer.description ? [leaf('description', peer.description)] : []),
          leaf('remote-as', peer.asn),
          ...(peer.shutdown ? [leaf('shutdown')] : []),
        ],
        peer.shutdown ? [' Administratively down (lab.yaml: shutdown: true); set shutdown: false once the peer speaks BGP '] : undefined,
      );
    });
    children.push(
      node('bgp', [
        ...(bgp.announce.length
          ? [node('address-family', [node('ipv4-unicast', bgp.announce.map((n) => tagNode('network', networkByName(lab, n).cidr)))])]
          : []),
        ...neighbors,
        // Several platform nodes announce the same service prefixes from one AS: allow ECMP across them.
        node('parameters', [node('bestpath', [node('as-path', [leaf('multipath-relax')])]), leaf('router-id', bgp.routerId)]),
        leaf('system-as', bgp.asn),
      ]),
    );
  }
  if (gw.routes.length) {
    children.push(
      node('static', [
        ...gw.routes.map((r) =>
          // The description belongs on the route: one under `next-hop` made VyOS ignore every static route.
          tagNode('route', r.to, [...(r.description ? [leaf('description', r.description)] : []), tagNode('next-hop', r.via)]),
        ),
      ]),
    );
  }
  return children.length ? node('protocols', children) : undefined;
}
