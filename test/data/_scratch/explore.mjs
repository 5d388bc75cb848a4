import sharp from 'sharp';
const w=4,h=3;
const rgb = Buffer.alloc(w*h*3); for (let i=0;i<rgb.length;i++) rgb[i]=(i*37)%256;
const jpg = await sharp(rgb,{raw:{width:w,height:h,channels:3}}).jpeg({quality:100}).toBuffer();
const trunc = jpg.subarray(0, jpg.length>>1);
for (const failOn of ['none','truncated','error','warning']) {
  try { const r = await sharp(trunc,{failOn}).raw().toBuffer({resolveWithObject:true}); console.log(failOn,'ok',r.info.width); } catch(e){ console.log(failOn,'ERR',e.message); }
}
// big jpeg truncated
const big = Buffer.alloc(200*200*3); for (let i=0;i<big.length;i++) big[i]=(i*7)%256;
const bj = await sharp(big,{raw:{width:200,height:200,channels:3}}).jpeg().toBuffer();
for (const failOn of ['none','truncated','error','warning']) {
  try { const r = await sharp(bj.subarray(0, bj.length*0.6|0),{failOn}).raw().toBuffer({resolveWithObject:true}); console.log('big',failOn,'ok',r.info.width); } catch(e){ console.log('big',failOn,'ERR',e.message); }
}
const bp = await sharp(big,{raw:{width:200,height:200,channels:3}}).png().toBuffer();
for (const failOn of ['none','truncated','error','warning']) {
  try { const r = await sharp(bp.subarray(0, bp.length*0.6|0),{failOn}).raw().toBuffer({resolveWithObject:true}); console.log('png',failOn,'ok',r.info.width); } catch(e){ console.log('png',failOn,'ERR',e.message); }
}
// 16-bit
const u16 = new Uint16Array(w*h*3); for (let i=0;i<u16.length;i++) u16[i]=((i*37)%256)*257;
try { const p16 = await sharp(u16,{raw:{width:w,height:h,channels:3}}).toColourspace('rgb16').png().toBuffer();
const m = await sharp(p16).metadata(); console.log('16', m.depth, m.bitsPerSample, m.channels, m.space);
const r = await sharp(p16).toColourspace('srgb').raw().toBuffer({resolveWithObject:true}); console.log(r.info, [...r.data.subarray(0,6)], [...rgb.subarray(0,6)]);
} catch(e){console.log('16 ERR', e.message)}
// cmyk
const cm = await sharp(rgb,{raw:{width:w,height:h,channels:3}}).toColourspace('cmyk').jpeg({quality:100}).toBuffer();
console.log('cmyk meta', (await sharp(cm).metadata()).space, (await sharp(cm).metadata()).channels);
const cr = await sharp(cm).toColourspace('srgb').raw().toBuffer({resolveWithObject:true}); console.log(cr.info.channels,[...cr.data.subarray(0,6)]);
const cr2 = await sharp(cm).raw().toBuffer({resolveWithObject:true}); console.log('cmyk default raw',cr2.info.channels);
// gif
const gif = await sharp(rgb,{raw:{width:w,height:h,channels:3}}).gif().toBuffer();
const gr = await sharp(gif).raw().toBuffer({resolveWithObject:true}); console.log('gif', gr.info.channels,[...gr.data.subarray(0,8)]);
console.log(Object.keys(sharp.prototype).filter(k=>/orient|rotate|flatten|remove|ensure|unflatten/i.test(k)));
