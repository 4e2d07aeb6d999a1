// The assessment page's calls: GET /api/departments/assessment (JSON, or CSV to download).
import type { AssessmentPeriod, AssessmentResponse } from '@hub/config';
import { errorOf, request } from '../shared/hub-api';

export function assessmentUrl(from: string, to: string, period: AssessmentPeriod, format: 'json' | 'csv' = 'json'): string {
  return `/api/departments/assessment?${new URLSearchParams({ from, to, period, format })}`;
}

export function fetchAssessment(token: string, from: string, to: string, period: AssessmentPeriod): Promise<AssessmentResponse> {
  return request<AssessmentResponse>('GET', assessmentUrl(from, to, period), { token });
}

export async function downloadAssessmentCsv(token: string, from: string, to: string, period: AssessmentPeriod): Promise<void> {
  const res = await fetch(assessmentUrl(from, to, period, 'csv'), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw await errorOf(res);
  const href = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href, download: `assessment-${period}.csv` });
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
