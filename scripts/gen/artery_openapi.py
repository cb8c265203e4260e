import yaml
S=lambda **k: dict(k)
def ref(n): return {"$ref":"#/components/schemas/"+n}
def resp(n): return {"$ref":"#/components/responses/"+n}
def par(n): return {"$ref":"#/components/parameters/"+n}
hdr=lambda n: {"$ref":"#/components/headers/"+n}
nstr={"type":["string","null"]}
date={"type":"string","format":"date"}
ndate={"type":["string","null"],"format":"date"}
ts={"type":"string","format":"date-time"}
ver={"type":"integer","minimum":1}
def obj(props, required=None, desc=None, extra=False):
    o={"type":"object","additionalProperties":extra,"properties":props}
    if required is None: required=list(props)
    if required: o["required"]=required
    if desc: o["description"]=desc
    return o
def lst(item, desc):
    return obj({"items":{"type":"array","items":ref(item)},"next_cursor":ref("NextCursor"),"total":ref("Total")},desc=desc)
def arr(t, mx=None):
    a={"type":"array","items":t}
    if mx: a["maxItems"]=mx
    return a
STAGE={"type":"string","enum":["upstream","midstream","downstream"]}
CAT={"type":"string","enum":["technology","talent","capacity","material","market"]}
schemas={}
schemas["Point"]=obj({"lat":{"type":"number","minimum":-90,"maximum":90},"lng":{"type":"number","minimum":-180,"maximum":180}},desc="A point in WGS 84 degrees.")
schemas["Segment"]=obj({"id":{"type":"string"},"stage":STAGE,"name":{"type":"string","maxLength":50},"enterprise_ids":arr({"type":"string"})},desc="A segment (link) of a chain and the enterprises in it, sorted by id.")
schemas["Chain"]=obj({"id":{"type":"string"},"zone_id":{"type":"string"},"name":{"type":"string","maxLength":50},"description":{"type":"string"},
  "segments":arr(ref("Segment")),"version":ver,"created_at":ts,"updated_at":ts},desc="An industry chain of the zone (食品, 家居, 装备 …) with its segments in flow order.")
schemas["ChainList"]=lst("Chain","A page of chains.")
segreq=obj({"id":{"type":"string","description":"An existing segment of the chain to keep (its listings stay on it); omit for a new one."},
  "stage":STAGE,"name":{"type":"string","maxLength":50},"enterprise_ids":{"type":["array","null"],"maxItems":500,"items":{"type":"string"}}},required=["stage","name"])
schemas["SegmentRequest"]=segreq
schemas["CreateChainRequest"]=obj({"zone_id":{"type":"string"},"name":{"type":"string","maxLength":50},"description":{"type":"string","maxLength":2000},
  "segments":{"type":["array","null"],"maxItems":30,"items":ref("SegmentRequest")}},required=["name"])
schemas["UpdateChainRequest"]=obj({"name":{"type":["string","null"],"maxLength":50},"description":{"type":["string","null"],"maxLength":2000},
  "segments":{"type":["array","null"],"maxItems":30,"items":ref("SegmentRequest")}},required=[])
schemas["Gap"]=obj({"kind":{"type":"string","enum":["fill","strengthen","extend"],"description":"fill (补链): a segment without enterprises; strengthen (强链): fewer than 3; extend (延链): a stage with no segment."},
  "segment_id":nstr,"stage":STAGE,"count":{"type":"integer","minimum":0}})
schemas["ChainMap"]=obj({"chain":ref("Chain"),
  "enterprises":arr(obj({"id":{"type":"string"},"name":{"type":"string"},"segment_ids":arr({"type":"string"})})),
  "links":arr(obj({"source":{"type":"string"},"target":{"type":"string"},"cooperation_id":{"type":"string"},"type":ref("CooperationType")})),
  "gaps":arr(ref("Gap"))},desc="A chain as the chain map draws it: segments, their enterprises, cooperation links between them (cancelled ones left out) and the gaps.")
schemas["Institute"]=obj({"id":{"type":"string"},"zone_id":{"type":"string"},"name":{"type":"string","maxLength":100},"description":{"type":"string"},
  "address":{"type":"string"},"location":{"oneOf":[ref("Point"),{"type":"null"}]},"sample":{"type":"boolean","description":"Generated demo data, not a fact."},
  "version":ver,"created_at":ts,"updated_at":ts},desc="A research institute (科研院所), a partner of the zone's enterprises.")
schemas["InstituteList"]=lst("Institute","A page of institutes.")
locreq={"type":["object","null"],"additionalProperties":False,"properties":{"lat":{"type":"number"},"lng":{"type":"number"}}}
schemas["CreateInstituteRequest"]=obj({"zone_id":{"type":"string"},"name":{"type":"string","maxLength":100},"description":{"type":"string","maxLength":2000},
  "address":{"type":"string","maxLength":200},"location":locreq},required=["name"])
schemas["UpdateInstituteRequest"]=obj({"name":{"type":["string","null"],"maxLength":100},"description":{"type":["string","null"],"maxLength":2000},
  "address":{"type":["string","null"],"maxLength":200},"location":locreq},required=[])
schemas["Listing"]=obj({"id":{"type":"string"},"zone_id":{"type":"string"},"kind":{"type":"string","enum":["need","offer"]},"category":CAT,
  "chain_id":nstr,"segment_id":nstr,"title":{"type":"string","maxLength":100},"text":{"type":"string"},"enterprise_id":nstr,"institute_id":nstr,
  "park_id":{"type":["string","null"],"description":"The enterprise's park; null for an institute."},"owner_name":{"type":"string"},
  "valid_from":ndate,"valid_until":ndate,"status":{"type":"string","enum":["open","closed"]},"sample":{"type":"boolean"},"version":ver,"created_at":ts,"updated_at":ts},
  desc="A need or an offer of an enterprise or an institute.")
schemas["ListingList"]=lst("Listing","A page of listings.")
schemas["CreateListingRequest"]=obj({"kind":{"type":"string","enum":["need","offer"]},"category":CAT,"chain_id":{"type":"string"},"segment_id":{"type":"string"},
  "title":{"type":"string","maxLength":100},"text":{"type":"string","maxLength":2000},"enterprise_id":{"type":"string"},"institute_id":{"type":"string"},
  "valid_from":{"type":"string","format":"date"},"valid_until":{"type":"string","format":"date"}},required=["kind","category","title"])
schemas["UpdateListingRequest"]=obj({"category":{"type":["string","null"]},"chain_id":nstr,"segment_id":nstr,"title":{"type":["string","null"],"maxLength":100},
  "text":{"type":["string","null"],"maxLength":2000},"valid_from":nstr,"valid_until":nstr,"status":{"type":["string","null"],"enum":["open","closed",None]}},required=[])
schemas["Reason"]=obj({"code":{"type":"string","enum":["shared_terms","adjacent_segment","same_segment","same_chain","same_category","distance","past_cooperation"]},
  "score":{"type":"number","minimum":0,"maximum":1,"description":"This reason's weighted share of the score."},
  "terms":arr({"type":"string"}),"km":{"type":"number","minimum":0},"names":arr({"type":"string"})},required=["code","score"],
  desc="One part of a proposal's score. `terms`: the shared phrases (shared_terms); `km`: the distance; `names`: their stage, their segment, our stage, our segment (chain reasons), the category, or the past cooperation's title.")
schemas["Proposal"]=obj({"listing":ref("Listing"),"score":{"type":"number","minimum":0,"maximum":1},"reasons":arr(ref("Reason")),
  "explanation":obj({"zh-CN":{"type":"string"},"en":{"type":"string"}},desc="The reasons in plain words."),"match_id":nstr},
  desc="A ranked candidate for a listing.")
schemas["ProposalList"]=lst("Proposal","The ranked proposals, best first (next_cursor is always null).")
schemas["Match"]=obj({"id":{"type":"string"},"zone_id":{"type":"string"},"need_id":{"type":"string"},"offer_id":{"type":"string"},
  "need_title":{"type":"string"},"offer_title":{"type":"string"},"need_owner_name":{"type":"string"},"offer_owner_name":{"type":"string"},
  "need_enterprise_id":nstr,"offer_enterprise_id":nstr,"score":{"type":"number","minimum":0,"maximum":1},"reasons":arr(ref("Reason")),
  "explanation":obj({"zh-CN":{"type":"string"},"en":{"type":"string"}},desc="The reasons in plain words."),
  "status":{"type":"string","enum":["proposed","contacted","agreed","declined"]},"need_accepted":{"type":"boolean"},"offer_accepted":{"type":"boolean"},
  "note":{"type":"string"},"cooperation_id":nstr,"version":ver,"created_at":ts,"updated_at":ts},desc="A need paired with an offer (牵手), brokered by the park's staff.")
schemas["MatchList"]=lst("Match","A page of matches, newest first.")
schemas["CreateMatchRequest"]=obj({"need_id":{"type":"string"},"offer_id":{"type":"string"},"note":{"type":"string","maxLength":1000}},required=["need_id","offer_id"])
schemas["MatchActionRequest"]=obj({"action":{"type":"string","enum":["contact","agree","accept","decline"]},"note":{"type":"string","maxLength":1000}},required=["action"])
schemas["CooperationType"]={"type":"string","enum":["research","chain","talent","capacity"],"description":"research 产学研, chain 产业链, talent 人才共享, capacity 产能互帮."}
schemas["Milestone"]=obj({"id":{"type":"string"},"title":{"type":"string"},"due_on":ndate,"done_on":ndate})
schemas["Outcome"]=obj({"id":{"type":"string"},"title":{"type":"string"},"recorded_on":ndate})
schemas["Cooperation"]=obj({"id":{"type":"string"},"zone_id":{"type":"string"},"type":ref("CooperationType"),"title":{"type":"string"},"description":{"type":"string"},
  "chain_id":nstr,"status":{"type":"string","enum":["planned","active","completed","cancelled"]},"organizer_id":{"type":"string"},
  "level":{"type":"string","enum":["zone","park","enterprise"]},"function":{"type":"string","enum":["development"]},"match_id":nstr,
  "started_on":ndate,"ended_on":ndate,"enterprise_ids":arr({"type":"string"}),"institute_ids":arr({"type":"string"}),
  "milestones":arr(ref("Milestone")),"outcomes":arr(ref("Outcome")),
  "timeline":arr(obj({"on":date,"kind":{"type":"string","enum":["created","started","milestone_due","milestone_done","outcome","ended"]},"title":{"type":"string"}})),
  "sample":{"type":"boolean"},"version":ver,"created_at":ts,"updated_at":ts},desc="A cooperation project (合作项目) of two or more parties; function is always development in the 3.14π matrix, level follows from the organiser.")
schemas["CooperationList"]=lst("Cooperation","A page of cooperations, newest first.")
msreq=obj({"id":{"type":"string"},"title":{"type":"string","maxLength":200},"due_on":{"type":["string","null"],"format":"date"},"done_on":{"type":["string","null"],"format":"date"}},required=["title"])
ocreq=obj({"id":{"type":"string"},"title":{"type":"string","maxLength":200},"recorded_on":{"type":["string","null"],"format":"date"}},required=["title"])
schemas["MilestoneRequest"]=msreq
schemas["OutcomeRequest"]=ocreq
schemas["CreateCooperationRequest"]=obj({"zone_id":{"type":"string"},"type":ref("CooperationType"),"title":{"type":"string","maxLength":200},
  "description":{"type":"string","maxLength":4000},"chain_id":{"type":"string"},"organizer_id":{"type":"string"},"started_on":{"type":"string","format":"date"},
  "ended_on":{"type":"string","format":"date"},"enterprise_ids":{"type":["array","null"],"maxItems":50,"items":{"type":"string"}},
  "institute_ids":{"type":["array","null"],"maxItems":50,"items":{"type":"string"}},
  "milestones":{"type":["array","null"],"maxItems":50,"items":ref("MilestoneRequest")},"outcomes":{"type":["array","null"],"maxItems":50,"items":ref("OutcomeRequest")}},
  required=["type","title"])
schemas["UpdateCooperationRequest"]=obj({"title":{"type":["string","null"],"maxLength":200},"description":{"type":["string","null"],"maxLength":4000},
  "milestones":{"type":["array","null"],"maxItems":50,"items":ref("MilestoneRequest")},"outcomes":{"type":["array","null"],"maxItems":50,"items":ref("OutcomeRequest")}},required=[])
schemas["CooperationActionRequest"]=obj({"action":{"type":"string","enum":["start","complete","cancel"]}})

paths={}
def q(name, desc): return {"name":name,"in":"query","description":desc,"schema":{"type":"string"}}
def ok(desc, schema, etag=False):
    r={"description":desc,"content":{"application/json":{"schema":ref(schema)}}}
    if etag: r["headers"]={"ETag":hdr("ETag")}
    return r
def crud(base, tag, sing, plural, listdesc, filters, createdesc, patchdesc, deletedesc, extra404=True, delete=True):
    P=sing[0].upper()+sing[1:]
    paths[base]={"parameters":[par("AcceptLanguage")],
      "get":{"tags":[tag],"operationId":"list"+plural,"summary":"List "+plural.lower(),"description":listdesc,
        "parameters":[par("Limit"),par("Cursor"),par("Q")]+filters,"responses":{"200":ok("A page.",P+"List")}},
      "post":{"tags":[tag],"operationId":"create"+P,"summary":"Create a "+sing,"description":createdesc,"parameters":[par("IdempotencyKey")],
        "requestBody":{"required":True,"content":{"application/json":{"schema":ref("Create"+P+"Request")}}},
        "responses":{"201":{"description":"Created (or, with `Idempotent-Replayed`, created before).","headers":{"ETag":hdr("ETag"),"Location":hdr("Location"),"Idempotent-Replayed":hdr("IdempotentReplayed")},
          "content":{"application/json":{"schema":ref(P)}}},"409":resp("Conflict"),"422":resp("Unprocessable")}}}
    one={"parameters":[par("AcceptLanguage"),par("ID")],
      "get":{"tags":[tag],"operationId":"get"+P,"summary":"Read a "+sing,"description":"Outside the caller's scope: 404.","responses":{"200":ok("The "+sing+".",P,True),"404":resp("NotFound")}},
      "patch":{"tags":[tag],"operationId":"update"+P,"summary":"Update a "+sing,"description":patchdesc,"parameters":[par("IfMatch")],
        "requestBody":{"required":True,"content":{"application/json":{"schema":ref("Update"+P+"Request")}}},
        "responses":{"200":ok("The "+sing+" as it is now.",P,True),"404":resp("NotFound"),"409":resp("Conflict"),"412":resp("PreconditionFailed"),"422":resp("Unprocessable")}}}
    if delete:
        one["delete"]={"tags":[tag],"operationId":"delete"+P,"summary":"Delete a "+sing,"description":deletedesc,"parameters":[par("IfMatch")],
        "responses":{"204":{"description":"Deleted."},"404":resp("NotFound"),"409":resp("Conflict"),"412":resp("PreconditionFailed")}}
    paths[base+"/{id}"]=one
crud("/api/v1/chains","artery","chain","Chains","Chains of the zones the caller holds a whole-zone grant in (`artery.read`), oldest first; `q` matches name and description, pinyin included.",[],
 "Needs `artery.manage` over the whole zone (zone administrators); `zone_id` may be omitted when the caller has one zone. Segment names are unique in the chain (422 `duplicate_segment`); enterprises must be of the zone (422 `unknown_value`). A name taken in the zone is 409.",
 "Partial update. `segments` replaces the segments in the order given: an entry with the `id` of an existing segment keeps it (and its listings), one without is new, a segment left out is removed — 409 while a listing names it. A stale `If-Match` is 412.",
 "Deletes the chain and its segments; 409 while listings or cooperations name it.")
paths["/api/v1/chains/{id}/map"]={"parameters":[par("AcceptLanguage"),par("ID")],"get":{"tags":["artery"],"operationId":"getChainMap","summary":"The chain map",
 "description":"The chain's segments with their enterprises, the cooperation links between those enterprises and the gap analysis. Gaps: a segment with no enterprise is `fill` (补链); one with fewer than 3 is `strengthen` (强链); a stage (upstream, midstream, downstream) with no segment is `extend` (延链).",
 "responses":{"200":ok("The map.","ChainMap"),"404":resp("NotFound")}}}
paths["/api/v1/chains/{id}/map/export"]={"parameters":[par("AcceptLanguage"),par("ID")],"get":{"tags":["artery"],"operationId":"exportChainMap","summary":"Export the chain map as a file",
 "description":"The chain map as a table: one row per enterprise of each segment (a segment without enterprises on a row of its own), then a row per stage the chain lacks. Columns: 位置 (stage), 环节, 企业, 链上合作数 (its cooperation links on the chain), 缺口 (补链, 强链 or 延链 by the gap rule of the map); English headers and labels for an English request. Named 产业链图谱-<chain>-YYYYMMDD (`chain-map-<chain>-YYYYMMDD`).",
 "parameters":[par("RosterFormat")],"responses":{"200":resp("RosterFile"),"404":resp("NotFound")}}}
crud("/api/v1/institutes","artery","institute","Institutes","Research institutes of the zones the caller holds a whole-zone grant in, oldest first; `q` matches name, description and address.",[],
 "Needs `artery.manage` over the whole zone. A name taken in the zone is 409.","Partial update; `location` null removes it. A stale `If-Match` is 412.","Deletes the institute; 409 while listings or cooperations name it.")
crud("/api/v1/listings","artery","listing","Listings","Listings in the caller's scope (through the zone, or the owning enterprise and its park), oldest first; `q` matches title and text, Chinese included.",
 [q("kind","need or offer."),q("category","technology, talent, capacity, material or market."),q("chain_id","Only listings on this chain."),q("segment_id","Only listings of this segment."),
  q("enterprise_id","Only this enterprise's listings."),q("institute_id","Only this institute's listings."),q("park_id","Only listings of this park's enterprises."),q("status","open or closed.")],
 "Exactly one of `enterprise_id` (in the caller's `listing.post` scope: its partner, its park's administrators) and `institute_id` (zone administrators) — 422 `one_owner` otherwise. `segment_id` names its chain; a `chain_id` that disagrees is 422. `valid_until` before `valid_from` is 422 `before_start`.",
 "Partial update; kind and owner cannot change. `chain_id`, `segment_id` and the dates null clear them; a new chain clears the segment. `status` closed takes the listing out of proposals. A stale `If-Match` is 412.",
 "Deletes the listing; 409 while a match names it (close it instead).")
paths["/api/v1/listings/{id}/proposals"]={"parameters":[par("AcceptLanguage"),par("ID")],"get":{"tags":["artery"],"operationId":"listProposals","summary":"Ranked partners for a listing",
 "description":"""Candidates for the listing, best first: open, current listings of the other kind by other owners of the zone. The score is a weighted sum of parts between 0 and 1: shared terms 0.45 (BM25 over Chinese character bigrams and Latin words, relative to the listing against itself), chain 0.20 (1 for the neighbouring stage of the same chain, 0.6 for the same segment, 0.4 elsewhere on it), category 0.10 (same category), distance 0.10 (exp(−km/5) between the owners' locations) and past cooperation 0.15. Each proposal carries its reasons and the same in plain words in zh-CN and en, and the match already made with it, if any. Whoever may read the listing sees its proposals; the candidates are shown whoever owns them.""",
 "parameters":[{"name":"limit","in":"query","description":"How many, 1–50 (default 10).","schema":{"type":"integer","minimum":1,"maximum":50}}],
 "responses":{"200":ok("The proposals.","ProposalList"),"404":resp("NotFound")}}}
paths["/api/v1/matches"]={"parameters":[par("AcceptLanguage")],
 "get":{"tags":["artery"],"operationId":"listMatches","summary":"List matches","description":"Matches in the caller's scope (the zone, or either party's enterprise), newest first.",
   "parameters":[par("Limit"),par("Cursor"),par("Q"),q("status","proposed, contacted, agreed or declined."),q("listing_id","Only matches of this need or offer."),q("enterprise_id","Only matches with this enterprise on either side.")],
   "responses":{"200":ok("A page.","MatchList")}},
 "post":{"tags":["artery"],"operationId":"createMatch","summary":"Match a need with an offer","description":"Needs `match.broker` over the need's owner. The score and reasons are the ranking's at this moment. 422 when the need is no need, the offer no offer, both of one owner, or either closed; 409 when the pair is matched already.",
   "parameters":[par("IdempotencyKey")],"requestBody":{"required":True,"content":{"application/json":{"schema":ref("CreateMatchRequest")}}},
   "responses":{"201":{"description":"Created.","headers":{"ETag":hdr("ETag"),"Location":hdr("Location"),"Idempotent-Replayed":hdr("IdempotentReplayed")},"content":{"application/json":{"schema":ref("Match")}}},
     "409":resp("Conflict"),"422":resp("Unprocessable")}}}
paths["/api/v1/matches/{id}"]={"parameters":[par("AcceptLanguage"),par("ID")],"get":{"tags":["artery"],"operationId":"getMatch","summary":"Read a match","description":"Outside the caller's scope: 404.",
 "responses":{"200":ok("The match.","Match",True),"404":resp("NotFound")}}}
paths["/api/v1/matches/{id}/actions"]={"parameters":[par("AcceptLanguage"),par("ID")],"post":{"tags":["artery"],"operationId":"actOnMatch","summary":"Move a match",
 "description":"""The one transition table: `contact` proposed → contacted and `agree` contacted → agreed are for brokers (`match.broker`); `decline` proposed|contacted → declined for brokers and either party's contact; `accept` records the sides the caller speaks for (`match.respond` over that side's enterprise) and reaches agreed when both sides have accepted. Reaching agreed creates the cooperation (type research when an institute takes part, talent or capacity for those categories, chain otherwise) in the same transaction. Any other transition, or a match moved by someone else at the same time, is 409.""",
 "requestBody":{"required":True,"content":{"application/json":{"schema":ref("MatchActionRequest")}}},
 "responses":{"200":ok("The match as it is now.","Match",True),"404":resp("NotFound"),"409":resp("Conflict"),"422":resp("Unprocessable")}}}
crud("/api/v1/cooperations","artery","cooperation","Cooperations","Cooperations in the caller's scope (the zone, or any enterprise party), newest first; `q` matches title and description.",
 [q("type","research, chain, talent or capacity."),q("status","planned, active, completed or cancelled."),q("chain_id","Only cooperations on this chain."),q("enterprise_id","Only cooperations with this enterprise."),q("institute_id","Only cooperations with this institute.")],
 "Needs `match.broker` over every enterprise party; institutes must be of the zone; at least two parties (422 `too_few_parties`). `organizer_id` (a zone, park or enterprise in the caller's scope) sets `level`; by default the one park of all enterprise parties, else the zone. With `started_on` the project is active, with `ended_on` completed, else planned.",
 "Partial update: title, description; `milestones` and `outcomes` replace the lists (entries with an existing id keep it). A stale `If-Match` is 412.","",delete=False)
paths["/api/v1/cooperations/{id}/actions"]={"parameters":[par("AcceptLanguage"),par("ID")],"post":{"tags":["artery"],"operationId":"actOnCooperation","summary":"Move a cooperation",
 "description":"`start` planned → active (dated today unless dated), `complete` active → completed, `cancel` planned|active → cancelled. Needs `match.broker` over it; any other transition is 409.",
 "requestBody":{"required":True,"content":{"application/json":{"schema":ref("CooperationActionRequest")}}},
 "responses":{"200":ok("The cooperation as it is now.","Cooperation",True),"404":resp("NotFound"),"409":resp("Conflict"),"422":resp("Unprocessable")}}}
doc={"tags":[{"name":"artery","description":"The artery (大动脉): industry chains, research institutes, listings of needs and offers, ranked proposals, matches and cooperation projects."}],
 "paths":paths,"components":{"schemas":schemas}}
class D(yaml.SafeDumper):
    def ignore_aliases(self, data): return True
print("# Generated by scripts/gen/artery_openapi.py: edit that and rerun it.")
print(yaml.dump(doc, Dumper=D, allow_unicode=True, sort_keys=False, width=140))
