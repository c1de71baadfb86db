import { defineProject, mergeConfig } from 'vitest/config';
import base from '../../vitest.base.mts';

export default mergeConfig(base, defineProject({ test: { name: 'cli' } }));
