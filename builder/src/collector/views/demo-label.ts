/**
 * What every view of a demo rehearsal's collector says first (issue 17: "everything says demo
 * where it appears"): the events come from demo payloads and stand-in APIs, not from the lab.
 */
export const DEMO_LABEL = 'DEMO rehearsal: demo payloads and stand-in APIs in virtual machines (builder rehearse --demo), not the real Talos, VyOS or Harvester';
