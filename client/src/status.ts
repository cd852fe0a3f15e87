/** The language status item shown for YAML files: index state and resource count. */
import * as vscode from 'vscode';
import { Commands } from '../../server/src/protocol';
import type { StatusParams } from '../../server/src/protocol';

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private currentRole: string | null = null;
  private counts = '';

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('gammaLens.status', [{ language: 'yaml' }, { language: 'helm' }]);
    this.item.name = 'GAMMA Lens';
    this.item.command = { title: 'Show Output', command: Commands.showOutput };
  }

  starting(): void {
    this.item.text = 'GAMMA Lens: starting';
    this.item.busy = true;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
  }

  update(p: StatusParams): void {
    this.item.busy = p.state === 'indexing';
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    this.item.text = p.state === 'indexing' ? `GAMMA Lens: indexing (${p.files} files)` : `GAMMA Lens: ${p.resources} resources`;
    this.counts = `${p.files} YAML files indexed`;
    this.render();
  }

  /** What the route or Service under the cursor does, or nothing. */
  role(text: string | null): void {
    this.currentRole = text;
    this.render();
  }

  private render(): void {
    this.item.detail = this.currentRole ? `${this.currentRole} — ${this.counts}` : this.counts;
  }

  stopped(): void {
    this.item.busy = false;
    this.item.text = 'GAMMA Lens: stopped';
    this.item.severity = vscode.LanguageStatusSeverity.Warning;
  }

  failed(why: string): void {
    this.item.busy = false;
    this.item.text = 'GAMMA Lens: failed';
    this.item.detail = why;
    this.item.severity = vscode.LanguageStatusSeverity.Error;
  }

  dispose(): void {
    this.item.dispose();
  }
}
