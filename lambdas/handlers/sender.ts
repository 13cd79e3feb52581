// Placeholder while issue 3 is in progress: replaced by the real sender handler.
export const handler = async (): Promise<never> => {
  throw new Error('sender handler not built yet');
};
