import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { ArgsOf, TrainingEstimate } from '../../../src-shared/contract.ts';
import { storeApi } from './store-deps.ts';

/**
 * The training form's preflight for the settings shown: the dataset's splits (too small to validate or calibrate?)
 * and what the one-time feature extraction will cost, as `training:estimate` counts them.
 */
export const useTrainEstimateStore = defineStore('train-estimate', () => {
  const api = storeApi();
  const estimate = shallowRef<TrainingEstimate | null>(null);
  let estimateToken = 0;
  /** Asks for the estimate of these settings; an answer for older settings is dropped. */
  async function loadEstimate(args: ArgsOf<'training:estimate'> | null): Promise<void> {
    const mine = ++estimateToken;
    if (!args) return void (estimate.value = null);
    try {
      const next = await api.training.estimate(args);
      if (mine === estimateToken) estimate.value = next;
    } catch {
      // An older server, or the dataset just went: the form shows no estimate rather than a stale one.
      if (mine === estimateToken) estimate.value = null;
    }
  }


  return { estimate, loadEstimate };
});
