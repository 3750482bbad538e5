import type { Locator, Page } from '@playwright/test';

/** The sign-in page (#/sign-in): server address, email and password, then the MFA step. */
export class SignInPage {
  readonly heading: Locator;
  readonly serverUrl: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly code: Locator;
  readonly recoveryCode: Locator;
  readonly verify: Locator;
  readonly useRecoveryCode: Locator;
  readonly alert: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Sign in to your team server' });
    this.serverUrl = page.getByLabel('Server address');
    this.email = page.getByLabel('Email');
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Sign in', exact: true });
    this.code = page.getByLabel('Authentication code');
    this.recoveryCode = page.getByLabel('Recovery code');
    this.verify = page.getByRole('button', { name: 'Verify' });
    this.useRecoveryCode = page.getByRole('button', { name: 'Use a recovery code instead' });
    this.alert = page.getByRole('main').getByRole('alert');
  }

  async fillCredentials(serverUrl: string, email: string, password: string): Promise<void> {
    await this.serverUrl.fill(serverUrl);
    await this.email.fill(email);
    await this.password.fill(password);
  }
}
