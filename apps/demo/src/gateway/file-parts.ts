import type { DocumentInput } from '@cascadeflow/core';

/**
 * A file part's file (chat completions' `file`, the Responses API's `input_file`) as a document: its data as
 * a data URL, bare base64 taken as a PDF's, or a PDF's URL; with its file name when it has one.
 */
export function fileDocument(file: {
  data?: string | undefined;
  url?: string | undefined;
  filename?: string | undefined;
}): DocumentInput {
  const url = file.data
    ? file.data.startsWith('data:')
      ? file.data
      : `data:application/pdf;base64,${file.data}`
    : file.url!;
  return file.filename ? { url, filename: file.filename } : { url };
}
