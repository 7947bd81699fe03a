/**
 * The admin key of this tab: in sessionStorage only (gone when the tab closes; never in
 * localStorage, a cookie or a URL), set only after the API accepted it as an admin key.
 */
const KEY = 'twofold.console.adminKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};
