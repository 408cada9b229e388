// The collector checks bearer tokens with the same constant-time comparison as the agent.
export { bearerMatches } from '@lab/shared';
