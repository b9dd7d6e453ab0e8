import { dialog, type BrowserWindow } from 'electron';

/** The image formats the importer reads, for the file dialog's filter. */
const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif', 'svg'];

/** Asks for a folder with left/ and right/; null when the user cancels. */
export async function pickFolder(win: BrowserWindow): Promise<string | null> {
  const r = await dialog.showOpenDialog(win, { properties: ['openDirectory'], title: 'Choose a folder with left/ and right/' });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/** Asks for one image file to query with; null when the user cancels. */
export async function pickImage(win: BrowserWindow): Promise<string | null> {
  const r = await dialog.showOpenDialog(win, {
    properties: ['openFile'],
    title: 'Choose an image to look for',
    filters: [
      { name: 'Images', extensions: IMAGE_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}
