import type { BuildOptions, Plugin } from 'esbuild';

export declare const repoRoot: string;
export declare const rawText: Plugin;
export declare const esmRequireBanner: string;
export declare function npmDependencies(): Promise<string[]>;
export declare function bundleNodeEsm(options: { entry: string; outfile: string } & BuildOptions): Promise<string>;
