import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { hashPassword, sha512Crypt, verifySha512Crypt } from '../../src/secrets/sha512crypt.js';

describe('sha512-crypt', () => {
  // Test vectors from Drepper's specification ("Unix crypt using SHA-256 and SHA-512").
  it('matches the specification vectors', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
  });

  it('agrees with openssl passwd -6 for a generated password', async () => {
    const hash = hashPassword('correct horse battery staple');
    const salt = hash.split('$')[2]!;
    const { stdout } = await execa('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: 'correct horse battery staple' });
    expect(stdout.trim()).toBe(hash);
    expect(verifySha512Crypt('correct horse battery staple', hash)).toBe(true);
    expect(verifySha512Crypt('wrong', hash)).toBe(false);
  });
});
