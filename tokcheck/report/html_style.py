"""The HTML report's inline stylesheet and script: readable type, colours that each come with a
mark or a label, token boxes in a grid; the script only filters by severity and check and opens or
closes the folded sections (it sends nothing anywhere)."""

STYLE = """
:root{--err:#b3261e;--err-bg:#fde7e5;--warn:#8a5300;--warn-bg:#fff1d6;--info:#3b5b87;--info-bg:#e6eef9;
--ok:#1e6b32;--line:#c9ccd1;--muted:#555b63;--ins:#e3f5e6;--del:#fde7e5;--special:#5a2d91;--special-bg:#f1e9fb}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1d21;margin:0;
background:#f6f7f9}
header,nav.filters,main{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:16px}
h1{font-size:1.6rem;margin:.2em 0}
h2{font-size:1.3rem;margin:1.4em 0 .4em;border-bottom:2px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05rem;margin:1em 0 .4em;color:var(--muted);font-family:ui-monospace,"DejaVu Sans Mono",monospace}
h4,h5,h6{margin:.2em 0 .4em;font-size:1rem;font-weight:600}
h5{display:inline;font-size:.95rem}
code,pre,.tok{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
code{font-size:.9em;word-break:break-all}
pre{background:#fff;border:1px solid var(--line);padding:8px;overflow:auto;font-size:.85rem;max-height:32em;
white-space:pre-wrap;overflow-wrap:anywhere}
.verdict{font-size:1.15rem;font-weight:700;padding:8px 12px;border-radius:6px;display:inline-block;margin:.3em 0}
.verdict.drift{background:var(--err-bg);color:var(--err);border:2px solid var(--err)}
.verdict.clean{background:#e3f5e6;color:var(--ok);border:2px solid var(--ok)}
table{border-collapse:collapse;background:#fff;margin:.5em 0}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:600;padding:2px 0;color:var(--muted)}
table.sides td code{word-break:break-all}
dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;margin:.4em 0;font-size:.9rem}
dl.settings dt{color:var(--muted)}dl.settings dd{margin:0}
nav.filters{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center;position:sticky;top:0;z-index:2;
background:#f6f7f9;border-bottom:1px solid var(--line);padding-top:8px;padding-bottom:8px}
nav.filters fieldset{border:1px solid var(--line);border-radius:6px;padding:2px 10px;margin:0}
nav.filters label{margin-right:10px;cursor:pointer}
nav.filters select,nav.filters button{font:inherit;padding:2px 8px}
#filter-status{margin:0;color:var(--muted);font-size:.9rem}
.legend{margin:0;font-size:.85rem;color:#33373d;flex-basis:100%}
.tok-key{font-family:ui-monospace,"DejaVu Sans Mono",monospace;padding:0 4px;border:1.5px solid #8c939c;border-radius:3px}
.tok-key.special{border-style:dashed;border-color:var(--special);color:var(--special);background:var(--special-bg)}
.tok-key.differs{border-width:3px;border-color:var(--err);background:var(--err-bg)}
.badge{display:inline-block;font-size:.75rem;font-weight:700;letter-spacing:.04em;padding:0 6px;border-radius:4px;
border:1.5px solid currentColor;vertical-align:1px}
.badge.error{color:var(--err);background:var(--err-bg)}.badge.warning{color:var(--warn);background:var(--warn-bg)}
.badge.info{color:var(--info);background:var(--info-bg)}
section.entry{background:#fff;border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;
padding:10px 14px;margin:10px 0}
section.entry.error{border-left-color:var(--err)}section.entry.warning{border-left-color:var(--warn)}
.cause{margin:0 0 .3em;color:var(--muted);font-size:.9rem}
article.finding{margin:.3em 0}
section.related,details.seen-by{border-top:1px dashed var(--line);margin-top:.6em;padding-top:.4em}
section.related article,details.seen-by article{margin-left:14px;padding-left:10px;border-left:3px solid var(--line)}
details.seen-by>summary{cursor:pointer}
.minimal{border-top:1px dashed var(--line);margin-top:.6em;padding-top:.3em}.minimal p{margin:.2em 0;font-weight:600}
svg.norms text.rowlabel{font-weight:700}
.check{font-family:ui-monospace,"DejaVu Sans Mono",monospace;color:var(--muted);font-weight:500}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.3em 0;font-size:.92rem}
dl.facts dt{color:var(--muted);font-weight:600}dl.facts dd{margin:0;min-width:0}
.none{color:var(--muted);font-style:italic}
figure{margin:.6em 0}
figcaption{font-size:.85rem;color:var(--muted)}
.tokens{overflow-x:auto;padding-bottom:4px}
.tokgrid{display:grid;gap:6px 0;align-items:stretch;padding-top:18px}
.rowlabel{font-weight:700;padding:4px 8px 0 0;color:var(--muted);align-self:center}
.tok{position:relative;display:flex;flex-direction:column;align-items:center;border:1.5px solid #8c939c;
border-radius:4px;margin:0 2px 0 0;padding:1px 4px;background:#fff;min-width:1.6em}
.tok .piece{white-space:pre;font-size:1rem}
.tok .tid{font-size:.72rem;color:var(--muted);white-space:nowrap}
.tok.special{border-style:dashed;border-color:var(--special);background:var(--special-bg);color:var(--special)}
.tok .sp{font-size:.7em;margin-right:2px}
.tok.differs{border-width:3px;border-color:var(--err);background:var(--err-bg)}
.tok.differs[data-side=tuned]{border-color:#0b6b2b;background:#e3f5e6}
.tok.differs.special{border-style:dashed}
.tok .ne{font-weight:700;margin-left:3px;color:#1b1d21}
.tok .mark{position:absolute;top:-17px;left:-2px;font-size:.68rem;font-weight:700;white-space:nowrap;color:#1b1d21}
.tok[data-side=tuned] .mark{display:none}
table.sbs{width:100%;table-layout:fixed;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.82rem}
table.sbs td{white-space:pre-wrap;word-break:break-all;border-top:0;border-bottom:0}
table.sbs td.m{width:1.6em;text-align:center;font-weight:700}
table.sbs col.m{width:2em}
table.sbs td.del{background:var(--del)}table.sbs td.ins{background:var(--ins)}
table.sbs tr.hunk td{color:var(--muted);background:#f0f1f3}
svg.norms{max-width:100%;height:auto;background:#fff;border:1px solid var(--line)}
svg.norms .bar{fill:#7d8aa0}svg.norms .axis{stroke:#333}svg.norms .tick,svg.norms text{font:11px system-ui,sans-serif;fill:#222}
svg.norms .threshold{stroke:#222;stroke-dasharray:5 4;stroke-width:1.5}
svg.norms .zerobox{fill:#f6f7f9;stroke:#999;stroke-dasharray:2 2}
svg.norms .row.bad path{fill:var(--err)}svg.norms .row.warn path{fill:#c77800}svg.norms .row.ok path{fill:var(--ok)}
table.rows tr.bad td:last-child{color:var(--err);font-weight:700}
table.matrix td a{font-weight:600}
table.matrix td.error{background:var(--err-bg)}table.matrix td.warning{background:var(--warn-bg)}
table.matrix td.ok{color:var(--ok)}table.matrix td span{display:block;font-size:.85em}
table.matrix td span.reverted{color:var(--ok)}
table.engines td.drift{background:var(--err-bg)}table.engines td.same{color:var(--ok)}
.sr{position:absolute;left:-9999px}
[hidden]{display:none!important}
"""

SCRIPT = """
(function(){
  var boxes=document.querySelectorAll('input[name=severity]');
  var select=document.getElementById('check-filter');
  var status=document.getElementById('filter-status');
  function apply(){
    var shown={};boxes.forEach(function(b){shown[b.value]=b.checked;});
    var check=select?select.value:'';var visible=0;
    document.querySelectorAll('section.entry').forEach(function(e){
      var ok=shown[e.dataset.severity]!==false&&(!check||(' '+e.dataset.checks+' ').indexOf(' '+check+' ')>=0);
      e.hidden=!ok;if(ok){visible++;}
    });
    document.querySelectorAll('section.check-group,section.severity').forEach(function(s){
      s.hidden=!s.querySelector('section.entry:not([hidden])');
    });
    if(status){status.textContent=visible+' entr'+(visible===1?'y':'ies')+' shown';}
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  if(select){select.addEventListener('change',apply);}
  function setOpen(open){document.querySelectorAll('main details').forEach(function(d){d.open=open;});}
  var expand=document.getElementById('expand-all'),collapse=document.getElementById('collapse-all');
  if(expand){expand.addEventListener('click',function(){setOpen(true);});}
  if(collapse){collapse.addEventListener('click',function(){setOpen(false);});}
  // A link to a finding (the run matrix's cells) shows it: its folds open, the filters cleared if they hide it.
  function reveal(){
    var target=location.hash&&document.getElementById(location.hash.slice(1));
    if(!target){return;}
    for(var node=target;node;node=node.parentElement){
      if(node.tagName==='DETAILS'){node.open=true;}
      if(node.hidden){boxes.forEach(function(b){b.checked=true;});if(select){select.value='';}apply();}
    }
    target.scrollIntoView();
  }
  window.addEventListener('hashchange',reveal);
  document.addEventListener('click',function(e){  // the same link again fires no hashchange
    var a=e.target.closest&&e.target.closest('a[href^="#f"]');
    if(a&&a.getAttribute('href')===location.hash){reveal();}
  });
  apply();
  reveal();
})();
"""
