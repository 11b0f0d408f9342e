"""Demo content for the Northlight website.

Plain data only: two fictional authors, a handful of blog articles (one of
them an unpublished draft) and three events. All names, venues and quotes
are invented for demonstration purposes.
"""

AUTHORS = [
    {
        "name": "Ingrid Solvang",
        "slug": "ingrid-solvang",
        "bio": (
            "Ingrid spent a decade running machine rooms for a university "
            "research cluster before swapping the cold aisle for a keyboard. "
            "She writes about data-centre infrastructure, energy and the "
            "practical side of keeping thousands of GPUs busy. When she is not "
            "on a site visit she is usually hiking somewhere windy."
        ),
        "social_handle": "@ingridcompute",
    },
    {
        "name": "Mathis Leroux",
        "slug": "mathis-leroux",
        "bio": (
            "Mathis is a former computational fluid dynamics engineer who now "
            "covers supercomputing, research policy and the growing overlap "
            "between simulation and machine learning. He leads most of "
            "Northlight's field trips in France and still owns a well-thumbed "
            "copy of an MPI reference manual."
        ),
        "social_handle": None,
    },
]


ARTICLES = [
    {
        "title": "How France Is Building Its AI Compute Backbone",
        "slug": "how-france-is-building-its-ai-compute-backbone",
        "summary": (
            "France's national AI strategy has shifted from talent and research "
            "institutes towards serious compute. Here is how the pieces fit "
            "together, and what they mean for researchers."
        ),
        "body": """France was one of the first European countries to publish a national artificial intelligence strategy, back in 2018. At the time, the emphasis was on people: attracting and keeping researchers, funding a network of interdisciplinary AI institutes and making sure the country did not lose its best graduates to laboratories abroad. Several years and a few refreshes later, the conversation has moved somewhere more physical. Today the question is less "who will do the research?" and more "on which machines?"

## A strategy in phases

It helps to think of the French approach as a series of overlapping phases rather than a single plan. Each phase kept the goals of the previous one and added a new layer.

| Phase | Main focus | What changed on the ground |
| --- | --- | --- |
| First phase (from 2018) | Talent and research | New AI institutes, doctoral funding, chairs for senior researchers |
| Second phase | Diffusion and skills | Training programmes, support for start-ups and industrial adoption |
| Current phase | Compute and sovereignty | Large GPU systems for research, European exascale plans, energy planning |

The funding involved runs to multiple billions of euros once public programmes and private commitments are added together, although the exact totals depend heavily on what you count and when.

## The national AI supercomputer

The centrepiece for academic users is a national research supercomputer south of Paris, run on behalf of the public research community. It began life as a fairly conventional HPC system with a GPU partition bolted on, and it has been extended several times since. The most recent extension added a large block of current-generation accelerators, which effectively turned it into a new AI machine sharing a building, a scheduler and a support team with the older system.

What makes it interesting is less the raw performance than the access model. Researchers apply through regular calls for projects, and accepted projects receive compute hours free at the point of use. For a doctoral student training a language model for a low-resource language, or a physicist testing a neural surrogate for a simulation code, that removes the awkward conversation about cloud credit cards.

Typical users include:

- university groups training or fine-tuning open models for French and other European languages
- climate and materials scientists combining classic simulation with machine-learned components
- medical imaging teams who need to keep sensitive data on national infrastructure
- start-ups that partner with public laboratories on joint research projects

## Sovereignty and the European layer

French policy documents talk a lot about sovereignty, and compute is where that word stops being abstract. Running models on domestic infrastructure means that data governance, export rules and long-term availability are decided locally rather than by the terms of service of a foreign provider.

France is also part of the European joint effort to build exascale-class systems, and a French site has been selected to host one of them. That machine is expected to serve both traditional simulation and AI, which reflects a broader trend: the line between an "HPC centre" and an "AI factory" is getting harder to draw.

> "Five years ago our users asked for more cores. Now they ask for more GPU memory and a faster file system for checkpoints. The building is the same; the questions are completely different."
>
> A systems engineer at a French computing centre, speaking to Northlight

## The energy advantage

One quieter advantage is the electricity grid. France generates most of its power from nuclear plants, with hydro and other renewables making up much of the rest, so the carbon footprint of each GPU-hour is low by European standards. That does not make large machines free of environmental cost, but it does change the arithmetic compared with grids that still lean heavily on gas or coal.

The challenge is capacity rather than carbon. New AI facilities need tens or hundreds of megawatts, grid connections take years to plan, and local authorities are increasingly asking what a data centre gives back to the community. Heat reuse, for example through district heating networks, comes up in almost every planning discussion.

## What to watch next

If you follow French AI policy, a few threads are worth keeping an eye on:

1. How allocation policies evolve as demand for GPU hours keeps outgrowing supply.
2. Whether public machines remain open to start-ups, or focus more narrowly on academic research.
3. How the exascale project balances simulation and AI users once it comes online.
4. Whether heat reuse moves from pilot projects to a standard planning requirement.

We visited one of the country's major computing centres on a [recent Northlight field trip](/events/inside-a-french-supercomputing-centre), and the mood there was upbeat but realistic. The hardware is arriving; the harder work is building the software, skills and support around it so that researchers can actually use it well.
""",
        "author": "mathis-leroux",
        "tags": ["ai-policy", "france", "supercomputers", "hpc"],
        "published_days_ago": 12,
        "draft": False,
    },
    {
        "title": "Why AI Start-ups Are Looking at Iceland",
        "slug": "why-ai-start-ups-are-looking-at-iceland",
        "summary": (
            "Cheap renewable power, a cool climate and free-air cooling make "
            "Iceland attractive for AI compute. We look at the benefits, the "
            "trade-offs and the questions worth asking."
        ),
        "body": """Mention Iceland to an infrastructure engineer and you will usually hear two words in reply: geothermal and cold. Both are relevant, and together they explain why a small island in the North Atlantic has become a serious option for companies that need a lot of computing power without a lot of carbon.

## Power from water and rock

Almost all of Iceland's electricity comes from renewable sources. Hydropower provides the majority, drawn from glacier-fed rivers, and geothermal plants supply most of the remainder. The result is a grid with very low carbon intensity and, historically, long-term power contracts at prices that are attractive compared with much of mainland Europe.

For an AI start-up this matters in two ways. First, energy is one of the largest running costs of a GPU cluster, so a stable price makes financial planning easier. Second, customers and investors increasingly ask about the emissions behind a trained model. Being able to say "our training runs on hydro and geothermal power" is a straightforward answer.

## The climate does half the cooling

Iceland's weather is famously changeable, but it is rarely hot. Outdoor temperatures stay cool for most of the year, which means data centres can rely heavily on outside air or simple heat exchangers instead of energy-hungry mechanical chillers. That keeps the overhead of cooling low and helps facilities achieve efficient power usage figures.

Dense AI racks are changing this picture slightly. Modern GPU systems often need liquid cooling regardless of the climate, because air simply cannot remove heat from the chips quickly enough. Even then, a cool climate makes it cheaper to reject that heat to the outside world.

## The trade-offs

Iceland is not the right answer for every workload, and the better operators are refreshingly honest about that.

- **Latency.** Several subsea cables connect the island to Europe, but round trips to major European cities still take a few tens of milliseconds. That is fine for training and batch jobs, less ideal for chatty, real-time inference.
- **Logistics.** Every server, spare part and rack has to arrive by sea or air. Lead times need to be planned and spare inventory kept on site.
- **Grid capacity.** Heavy industry, especially aluminium smelting, already uses the lion's share of the country's electricity. New power projects involve long planning processes and lively public debate about nature protection.
- **People.** The local pool of experienced data-centre staff is small, so remote hands and good automation are essential.

## A policy question, not only an engineering one

Because power is finite and new plants are contentious, deciding who gets electricity is a political conversation in Iceland. Data centres compete with fish farming, greenhouse agriculture, electrified transport and existing industry. Some in the public debate would rather see power go to activities that create more local jobs; others argue that data centres bring investment, connectivity and skills.

For foreign companies this means the licence to operate is partly social. Operators that invest in local training, publish their energy use and explore heat reuse tend to be welcomed more warmly than those who simply want a cheap socket.

## Which workloads fit best

From our conversations with operators and tenants, the sweet spot looks something like this:

1. Large training runs that can tolerate a bit of network latency.
2. Batch inference, such as processing archives of documents, images or audio.
3. Scientific computing and rendering jobs with long run times.
4. Backup and disaster recovery for organisations based elsewhere in Europe.

Interactive applications usually stay closer to their users, with Iceland acting as the heavy-lifting back end.

## Questions to ask before you sign

If you are a start-up considering Icelandic capacity, a short checklist goes a long way:

- What is the contracted power price, and how is it indexed over time?
- Can the site support liquid-cooled racks at the densities you plan to buy next year, not just today?
- How many independent network paths leave the campus, and over which cables?
- What remote hands service is available at night and at weekends?
- Is there a heat reuse scheme, and can you report on it to your own customers?

We are running a [Northlight field trip](/events/geothermal-compute-iceland-data-centre-field-trip) to a data-centre campus on the Reykjanes peninsula, where you can ask these questions in person, walk the halls and see how the cooling works. Bring a warm jacket: even in summer, the wind has opinions.
""",
        "author": "ingrid-solvang",
        "tags": ["iceland", "energy", "data-centres", "ai-policy", "field-trips"],
        "published_days_ago": 26,
        "draft": False,
    },
    {
        "title": "Notes from a Week at a GPU Conference",
        "slug": "notes-from-a-week-at-a-gpu-conference",
        "summary": (
            "Racks instead of chips, inference economics, ever-smaller number "
            "formats and a very crowded cooling hall: our takeaways from a "
            "week of GPU keynotes and hallway chats."
        ),
        "body": """Big GPU conferences have a particular rhythm. The keynote sets the headlines, the exhibition hall shows what vendors hope you will buy next year, and the real insights tend to appear in the queue for coffee. We spent a week at one of the larger spring events and came home with a notebook full of observations. Here are the ones that stuck.

## The unit of compute is now the rack

A few years ago, announcements were about individual chips. This year almost every serious conversation was about whole racks: dozens of accelerators tied together with a fast local interconnect, sold, cooled and managed as a single system. Several speakers described the rack as "the new server", and the architecture diagrams reflected that.

This shift has knock-on effects. Facilities need to deliver far more power per rack than they were designed for, installation becomes a logistics project, and a single failed component can affect a very expensive block of hardware. Expect procurement teams to start asking more questions about serviceability.

## Inference has taken centre stage

Training still gets the dramatic numbers, but the mood has clearly moved towards inference. Once a model is deployed, it may answer millions of requests a day, and the cost of each answer adds up quickly. Talks on serving efficiency were packed.

Recurring themes included:

- batching strategies that keep GPUs busy without hurting response times
- caching of intermediate results for long conversations
- speculative decoding and other tricks to generate text faster
- routing requests between large and small models depending on difficulty

One presenter summed it up neatly: training is a capital expense you pay once, inference is an operating expense you pay forever.

## Fewer bits, more arithmetic

The march towards lower numerical precision continues. Eight-bit floating-point formats are now routine for training large models, and four-bit formats are increasingly discussed for inference. The trade-off is always the same: fewer bits mean more operations per second and less memory traffic, at the risk of losing accuracy if scaling is handled carelessly.

For HPC people in the audience, this was a slightly uncomfortable trend. Scientific simulations often need double precision, and some attendees worried that future hardware will treat 64-bit arithmetic as an afterthought. Others pointed to research on mixed-precision solvers that do most of the work in low precision and correct the result in high precision.

> "Every generation, the marketing number gets bigger and the number format gets smaller. Read the footnotes."
>
> An HPC centre architect, overheard in the coffee queue

## The cooling hall was the busiest hall

If you wanted proof that energy has become the limiting factor, the exhibition floor provided it. Cold plates, coolant distribution units, rear-door heat exchangers and immersion tanks occupied a surprisingly large share of the space. Vendors that used to sell fans were now talking about litres per minute and supply water temperatures.

Power came up constantly too. Several sessions discussed on-site generation, grid connection queues and how to schedule workloads around the availability of renewable electricity. It is striking how quickly "can we get the megawatts?" has become the first question for new AI projects.

## Networking is the quiet battleground

Between the racks, networking drew serious attention. Large training jobs are only as fast as their slowest collective operation, so the fabric connecting thousands of accelerators is critical. We heard lively debates about Ethernet-based designs versus specialised fabrics, congestion control, and how to keep jobs running when a link inevitably fails.

## Software still decides who wins

Finally, a welcome note of realism. Several speakers reminded the audience that hardware is only useful if developers can program it. Compilers, kernel libraries, profiling tools and portable programming models got plenty of airtime, and the most popular hands-on labs were about making existing code run faster rather than about exotic new features.

## Our takeaways

1. Plan facilities around rack-level power and liquid cooling, not individual servers.
2. Budget for inference costs early; they often outgrow training costs.
3. Treat low-precision claims with care and test accuracy on your own workloads.
4. Invest in people who understand performance engineering.

We will be discussing many of these themes on stage at [our own conference in Berlin](/events/ascent-ai-and-compute-summit-berlin), with more time for questions and fewer product launches.
""",
        "author": "ingrid-solvang",
        "tags": ["conferences", "gpus", "ai", "energy"],
        "published_days_ago": 40,
        "draft": False,
    },
    {
        "title": "HPC Versus AI Workloads: What Actually Differs",
        "slug": "hpc-versus-ai-workloads-what-actually-differs",
        "summary": (
            "Simulation codes and neural network training increasingly share "
            "the same machines, but they stress them in very different ways. "
            "A practical comparison."
        ),
        "body": """Walk into a modern supercomputing centre and you may find a weather model and a language model running on neighbouring nodes. Both use accelerators, both need fast networks, and both keep the scheduler busy. Yet they behave very differently, and understanding those differences explains a lot about how today's machines are designed.

## Classic HPC: solving equations precisely

Traditional high-performance computing is dominated by simulation. Scientists describe a physical system with equations, split space and time into small pieces, and let the computer step through the solution. Typical examples include climate and weather models, computational fluid dynamics, molecular dynamics and structural engineering.

These codes share some common traits:

- **Double precision.** Many simulations use 64-bit floating-point numbers, because small rounding errors can accumulate over millions of time steps.
- **MPI everywhere.** The Message Passing Interface has been the standard way to spread work across nodes for decades. Each process owns a piece of the domain and exchanges boundary data with its neighbours.
- **Tightly coupled communication.** Halo exchanges happen at every step, so latency between nodes really matters.
- **Long-lived code.** Some simulation codes have been developed for decades, with large Fortran or C++ code bases and careful validation against experiments.

The classic benchmark for this world solves a large dense system of linear equations in double precision. It is not a perfect reflection of real applications, but it has ranked supercomputers for a very long time.

## AI workloads: learning from data

Training a neural network is a different kind of problem. There is no set of physical equations to solve; instead, the model adjusts billions of parameters to reduce its error on a large data set. The maths is dominated by matrix multiplications, which accelerators are extremely good at.

Key traits include:

- **Mixed precision.** Training typically uses 16-bit or even 8-bit formats for most arithmetic, keeping higher precision only where it matters, such as accumulations and master copies of weights.
- **Collective communication.** Data-parallel training relies on all-reduce operations that average gradients across many accelerators. Bandwidth is often more important than latency.
- **Huge data pipelines.** Reading, decoding and shuffling training data can become a bottleneck if storage is not up to the job.
- **Checkpointing.** Large runs last weeks and will experience hardware failures, so regular checkpoints of model state are essential.

## Side by side

| Aspect | Classic HPC simulation | AI training | AI inference |
| --- | --- | --- | --- |
| Typical precision | 64-bit | 16-bit and 8-bit, mixed | 8-bit and lower |
| Main programming model | MPI plus OpenMP or GPU kernels | Deep learning frameworks | Serving frameworks |
| Communication pattern | Neighbour exchanges | All-reduce and all-to-all | Mostly independent requests |
| Sensitive to | Latency, memory bandwidth | Bandwidth, GPU memory size | Memory capacity, response time |
| Job length | Hours to days | Days to months | Continuous service |

## Training and inference are different beasts

It is worth stressing that "AI workloads" are not one thing. Training is a large batch job that wants as many tightly connected accelerators as possible. Inference is a service: many small, independent requests with strict response-time targets. Inference cares about memory capacity, because the model weights must stay resident, and about efficiency per request, because it runs all day, every day.

Many organisations discover that a cluster designed for training is not the most cost-effective way to serve a model, and vice versa.

## Where the two worlds meet

The most exciting work is happening at the boundary. Researchers are training neural networks as fast surrogates for expensive simulations, using AI to speed up parts of weather forecasting, and running mixed-precision solvers that do most of their work in low precision before refining the answer in double precision.

> A useful rule of thumb: if your result needs to be reproducible to many decimal places, keep the 64-bit hardware in mind. If your result is a good-enough prediction, lower precision is probably fine.

## What this means for buying a machine

For centres that serve both communities, procurement has become a balancing act. Accelerators with strong low-precision performance win the headlines, but some scientific users depend on double-precision throughput. Networks must handle both latency-sensitive neighbour exchanges and bandwidth-hungry collectives. Storage must cope with small checkpoint bursts and enormous training data sets.

The good news is that the skills overlap more than the buzzwords suggest. Someone who understands memory hierarchies, communication patterns and profiling will be valuable in either world, and increasingly in both at once.
""",
        "author": "mathis-leroux",
        "tags": ["hpc", "gpus", "supercomputers", "ai"],
        "published_days_ago": 55,
        "draft": False,
    },
    {
        "title": "Liquid Cooling Comes of Age",
        "slug": "liquid-cooling-comes-of-age",
        "summary": (
            "AI racks now draw far more power than air can comfortably cool. "
            "A friendly guide to cold plates, rear doors, immersion tanks and "
            "what warm water has to do with heat reuse."
        ),
        "body": """For most of the history of the data centre, cooling meant moving air. Raised floors, perforated tiles, hot and cold aisles and rows of air handlers were the standard toolkit. That toolkit still works for ordinary servers, but it is running out of road for dense GPU systems. Liquid cooling, once a niche for supercomputers and enthusiasts, is now becoming the default for AI.

## Why air is not enough

The problem is simple physics. Water can carry far more heat than the same volume of air, and modern accelerators concentrate a lot of heat in a very small area. A traditional enterprise rack might have drawn somewhere around five to fifteen kilowatts. Racks full of current AI hardware can draw many times that, and vendors are openly discussing designs that go well beyond one hundred kilowatts.

Cooling that with air alone would require enormous volumes of airflow, loud and power-hungry fans and very careful containment. At some point it stops being practical.

## The main approaches

Liquid cooling is not a single technology. The options differ in how close the liquid gets to the chips.

| Approach | How it works | Typical use |
| --- | --- | --- |
| Rear-door heat exchangers | A water-cooled coil on the back of the rack cools the exhaust air | Upgrading existing air-cooled halls |
| Direct-to-chip cold plates | Liquid flows through plates mounted on the processors and memory | Most new AI and HPC systems |
| Single-phase immersion | Servers sit in a tank of non-conductive fluid that is pumped and cooled | Specialist deployments, edge sites |
| Two-phase immersion | The fluid boils on hot components and condenses on a cooled coil | Experimental and high-density niches |

Direct-to-chip cooling has become the mainstream choice for large AI systems. It captures most of the heat from the hottest components while letting the rest of the server stay air-cooled, which keeps maintenance familiar for technicians.

## Warm water is a feature

One counter-intuitive detail surprises many visitors: the water in a liquid-cooled system is often warm. Chips are happy running at temperatures well above that of a comfortable room, so the cooling loop can supply water at a temperature that would feel like a warm bath.

That has two big benefits:

- **Less chiller use.** Warm water can usually be cooled with outside air alone for much of the year, especially in cooler climates, which saves a lot of energy.
- **Useful waste heat.** The return water comes back hot enough to be interesting for district heating, greenhouses or nearby buildings.

Several European supercomputing centres have heated offices or campus buildings with their waste heat for years. As AI facilities grow, planners increasingly expect new sites to do the same.

## What changes in the building

Moving to liquid cooling is not only about the racks. Facilities need coolant distribution units, secondary water loops, leak detection, and floors that can cope with heavier equipment. Operations teams learn new habits too: checking water quality, managing quick-disconnect fittings and planning maintenance around the plumbing.

> "The first time you see a technician swap a liquid-cooled node without getting a drop on the floor, you stop worrying quite so much."
>
> An operations lead at a Nordic data centre

## The risks people worry about

Liquid near electronics makes people nervous, and that is healthy. The main concerns we hear are:

1. Leaks, which modern designs address with dripless connectors, leak sensors and negative-pressure loops.
2. Vendor lock-in, because cooling hardware is often specific to one system design.
3. Skills, since not every facility team has experience with hydraulics.
4. Fluid choices for immersion, including cost, supply and environmental questions.

None of these are reasons to avoid liquid cooling, but they are good reasons to ask detailed questions before signing a contract.

## Efficiency, honestly measured

Liquid cooling generally lowers the energy overhead of a facility, and operators like to quote impressive power usage effectiveness figures. It is worth remembering that those figures only describe the building, not the usefulness of the computing inside it. A perfectly cooled cluster that sits idle is still wasteful. The best operators combine efficient cooling with good scheduling and honest reporting of how busy their machines really are.

On our Iceland field trip you will see both approaches side by side: air-cooled halls for older equipment and liquid-cooled rows for the newest GPU systems. It is one of the clearest ways to understand how quickly the industry is changing.
""",
        "author": "ingrid-solvang",
        "tags": ["energy", "data-centres", "gpus", "hpc"],
        "published_days_ago": 70,
        "draft": False,
    },
    {
        "title": "How to Plan a Data Centre Visit",
        "slug": "how-to-plan-a-data-centre-visit",
        "summary": (
            "Security checks, dress codes, loud halls and good questions: a "
            "practical guide to getting the most from a data-centre or "
            "supercomputing site visit."
        ),
        "body": """Data centres are not designed with visitors in mind. They are secure, noisy, often chilly in one aisle and hot in the next, and full of people with important jobs to do. That is exactly what makes a visit so rewarding, and also why a little planning goes a long way. Here is what we have learned from organising Northlight field trips in France, Iceland and elsewhere.

## Start early with security

Most facilities require visitor names in advance, sometimes weeks ahead. Some ask for nationality, date of birth or employer, and high-security sites may need to run background checks. When you arrive, expect an identity check, a visitor badge and possibly a short safety briefing.

A few practical points:

- Bring a government-issued photo ID that matches the name you registered with.
- Expect to sign a confidentiality agreement at some sites.
- Do not assume you can take photos. Many operators forbid photography inside the halls, and some ask you to leave phones in lockers.
- Arrive on time; security desks often process groups together.

## Dress for the machine room

There is no glamour in data-centre fashion. Comfortable, closed-toe shoes are essential, and some sites require safety footwear in plant areas. Cold aisles can be genuinely chilly, while hot aisles and plant rooms can be warm and loud, so layers work best.

Ear protection is often provided in noisier areas, and it is worth using. A long tour among fans and pumps is surprisingly tiring for the ears.

## Choose the right group size

Facilities usually limit how many visitors can be on the floor at once, both for safety and to avoid disrupting work. Small groups of around ten to twenty people tend to work best. Everyone can hear the guide, questions flow naturally, and nobody ends up peering round a corner at the back.

That is why Northlight keeps field trips deliberately small and runs a waiting list when places fill up.

## Prepare good questions

The engineers who host visits love good questions, and they can tell when you have done your homework. Some that tend to spark great conversations:

1. How has rack power density changed over the last few years, and how did the building adapt?
2. What happens, step by step, when the grid supply fails?
3. How do you decide between air and liquid cooling for new systems?
4. Where does the waste heat go today, and where would you like it to go?
5. What is the hardest part of the job that visitors never see?

Avoid asking for commercially sensitive details such as customer names or contract prices. Hosts will usually deflect politely, but it wastes time.

## Build in time to talk

The best moments on a visit often happen away from the racks: over coffee in the control room, during a walk between buildings, or at dinner afterwards. Build these moments into the schedule. A tour that runs from badge desk to exit without a pause can feel like a museum trip; one that includes time with operators feels like joining a conversation.

> The machines are impressive, but the people who run them are the real highlight. Leave room in the day to meet them.

## Pair the visit with context

A data-centre tour makes far more sense when you understand the setting. For a supercomputing centre, that might mean a short talk on the research it supports. For a site in Iceland, it could mean a stop at a geothermal plant to see where the power comes from. Conferences are a good complement too: you hear the big-picture trends on stage, then see what they look like in concrete and copper.

## A simple checklist

- Register early and double-check spelling of names on the visitor list.
- Pack photo ID, layers and sensible shoes.
- Read up on the site and prepare two or three questions.
- Check travel times; many data centres are outside city centres.
- Respect the rules on photos, touching equipment and restricted areas.
- Send a thank-you note afterwards. Hosts notice, and doors stay open for the next group.

With a bit of preparation, a visit turns from a walk past blinking lights into a genuine insight into how modern computing works.
""",
        "author": "mathis-leroux",
        "tags": ["data-centres", "field-trips", "conferences", "iceland", "france"],
        "published_days_ago": 85,
        "draft": False,
    },
    {
        "title": "Exascale in Plain Language",
        "slug": "exascale-in-plain-language",
        "summary": (
            "DRAFT - not for publication. What exascale means, why it was hard "
            "to reach and why the number matters less than it used to."
        ),
        "body": """*Working draft: figures still to be checked before publication.*

The word exascale gets used a lot, often loosely. At its simplest, it describes a computer able to perform about a billion billion floating-point operations every second. Reaching that level took the supercomputing community many years, and the journey says a lot about where computing is heading.

## Why the milestone was hard

For a long time, the main obstacle was not building enough processors but powering them. Early projections suggested that an exascale machine built with older technology would need an absurd amount of electricity. Getting there required big improvements in energy efficiency, most of which came from accelerators.

Other challenges included:

- keeping millions of processing elements busy at the same time
- moving data fast enough between memory, processors and nodes
- coping with frequent component failures in a very large system
- rewriting scientific software to use accelerators effectively

## Which exascale?

An important subtlety: exascale traditionally refers to double-precision arithmetic on a specific benchmark. AI hardware can reach similar headline numbers at much lower precision, which is why marketing materials sometimes describe machines as "AI exascale". The two numbers are not directly comparable.

| Measure | Precision | Typical use |
| --- | --- | --- |
| Classic ranking benchmark | 64-bit | Comparing general-purpose supercomputers |
| Mixed-precision benchmark | Mostly lower precision | Showing potential for mixed solvers |
| AI performance figures | 16-bit, 8-bit or lower | Training and inference capacity |

## What users actually get

For a climate scientist, exascale means running models at finer resolution, resolving features such as individual storm systems that were previously approximated. For a materials researcher, it means simulating larger systems for longer. For AI teams, it means training larger models or training the same models faster.

> Notes to self: add an example from the French field trip, ask an operations team for a quote, check whether the table needs a fourth row.

## Beyond the number

Exascale has become less of a finish line and more of a waypoint. Centres are now asking different questions: how much useful science per megawatt, how easily new users can get started, and how simulation and AI can share the same hardware without either community feeling short-changed.

The next milestone will probably not be a bigger number on a benchmark. It is more likely to be a measure of usefulness: how quickly a question goes from idea to answer, and how much energy it took to get there.

## Still to do

1. Confirm the list of European exascale projects and their status.
2. Add a short section on software readiness programmes.
3. Decide whether this should be split into two shorter posts.
4. Ask the editor whether we need a glossary box for readers new to HPC.

Until those points are settled, this article stays in the drafts folder. Please do not share or link to it, and do not quote any of the figures above, which are placeholders.
""",
        "author": "mathis-leroux",
        "tags": ["hpc", "supercomputers"],
        "published_days_ago": 0,
        "draft": True,
    },
]


EVENTS = [
    {
        "kind": "field_trip",
        "title": "Geothermal Compute: Iceland Data Centre Field Trip",
        "slug": "geothermal-compute-iceland-data-centre-field-trip",
        "summary": (
            "Two days on the Reykjanes peninsula: tour a renewable-powered data "
            "campus, meet its engineers, visit a geothermal plant and share a "
            "relaxed dinner by the sea."
        ),
        "description": """Join us on the Reykjanes peninsula for a close look at how AI and HPC workloads run on hydro and geothermal power. This small-group trip combines a behind-the-scenes tour of a working data-centre campus with a visit to the energy source that feeds it, plenty of time to talk to the people who run it, and a proper Icelandic dinner.

## Programme

**Day one**

- **09:00** Welcome coffee and security registration at the campus visitor centre.
- **09:45** Introduction from the site team: power contracts, network connectivity and what kinds of workloads customers bring.
- **10:30** Guided tour of the air-cooled halls, followed by the newer liquid-cooled rows for dense GPU systems.
- **12:30** Lunch with operations engineers.
- **14:00** Short coach ride to a nearby geothermal power station for a guided visit of the turbine hall and visitor exhibition.
- **16:30** Free time at the hotel to rest or explore the coastline.

**Day two**

- **09:00** Workshop session: planning liquid-cooled capacity, heat reuse ideas and questions to ask a colocation provider.
- **11:00** Round-table with start-up tenants about running training jobs far from their users.
- **12:30** Farewell lunch.
- **15:00** Trip ends; optional transfer to Keflavík airport.

## Dinner

On the first evening we gather for a relaxed dinner at a harbour-side restaurant in town. Expect local fish and lamb, a vegetarian option, and a long table shared with the campus engineers who hosted the tour. Dinner is included for every participant; please tell us about dietary requirements when you register.

## What to bring

Weather on the peninsula changes quickly, so pack waterproof and windproof layers even in summer. Sturdy closed-toe shoes are required in the technical areas, and you will need a government-issued photo ID that matches your registration for site security. Photography is not allowed inside the data halls.

## Good to know

Places are limited to twelve participants to keep the tour personal and safe on the floor. If the trip is full you can join the waiting list, and we will contact you in order if a place becomes free. One night's hotel accommodation, lunches, the dinner and local transport are included; flights are not.
""",
        "timezone": "Atlantic/Reykjavik",
        "starts_in_days": 45,
        "start_time": "09:00",
        "duration_hours": 30,
        "venue": "Hraunvellir Compute Campus, Ásbrú",
        "city": "Reykjanesbær",
        "country": "Iceland",
        "capacity": 12,
        "waitlist": True,
        "what_to_bring": (
            "Warm waterproof layers, sturdy closed-toe shoes and a "
            "government-issued photo ID matching your registration."
        ),
    },
    {
        "kind": "conference",
        "title": "Ascent: AI and Compute Summit Berlin",
        "slug": "ascent-ai-and-compute-summit-berlin",
        "summary": (
            "A one-day gathering in Berlin on where AI is heading and the "
            "compute, energy and policy needed to get there. Talks, panels "
            "and plenty of time to meet people."
        ),
        "description": """Ascent brings together researchers, infrastructure engineers, founders and policy specialists for a single, focused day in Berlin. Our aim is simple: connect the big questions about artificial intelligence with the practical realities of the machines, power and people that make it possible.

## Programme

- **09:30** Registration, coffee and pastries.
- **10:15** Opening session: the state of AI compute in Europe, and what has changed over the past year.
- **11:00** Track talks on efficient inference, mixed-precision training and the growing overlap between simulation and machine learning.
- **12:30** Lunch and exhibition, featuring infrastructure start-ups and research computing centres.
- **13:45** Panel: energy, grids and the race for megawatts. Can Europe build AI capacity sustainably?
- **14:45** Panel: national AI strategies compared, from research funding to sovereign compute.
- **15:45** Lightning talks from early-career researchers.
- **16:30** Closing conversation and community announcements.
- **17:00** Networking reception with drinks and light food.

## Who should attend

The programme is designed for people who build, run, fund or regulate AI systems. You do not need to be a hardware specialist, but you will feel at home if you are curious about what happens underneath the models. Talks are in English and aim to be accessible without being shallow.

## Venue

The summit takes place in a converted industrial hall on the banks of the Spree, a short walk from public transport. The venue is step-free throughout, and a quiet room is available for anyone who needs a break from the crowds.

## Tickets and waiting list

Capacity is capped at three hundred attendees so that conversations stay manageable. When tickets sell out, you can join the waiting list and we will offer released places in order. Your ticket includes lunch, refreshments throughout the day and the evening reception.
""",
        "timezone": "Europe/Berlin",
        "starts_in_days": 90,
        "start_time": "09:30",
        "duration_hours": 9,
        "venue": "Spreehalle Conference Centre",
        "city": "Berlin",
        "country": "Germany",
        "capacity": 300,
        "waitlist": True,
        "what_to_bring": "",
    },
    {
        "kind": "field_trip",
        "title": "Inside a French Supercomputing Centre",
        "slug": "inside-a-french-supercomputing-centre",
        "summary": (
            "A day at a national computing centre south of Paris, exploring "
            "how a classic HPC site became home to a large AI supercomputer."
        ),
        "description": """This one-day field trip took a group of twenty participants to a national computing centre south of Paris, where classic simulation and AI training now share the same machine rooms. It was a chance to see how a long-established HPC site adapted to a wave of GPU demand, and to hear directly from the teams who run it.

## Programme

- **09:30** Welcome and security check at the visitor entrance.
- **10:00** Introduction to the centre: its history, its research users and how projects apply for compute time.
- **10:45** Guided tour of the machine rooms, including the older CPU partitions and the newest GPU extension.
- **12:30** Lunch in the campus restaurant with members of the user support team.
- **14:00** Talk on running MPI simulation codes and large AI training jobs side by side, from scheduling to storage.
- **15:00** Visit to the cooling plant and a discussion of heat reuse on the wider campus.
- **16:15** Open question session and wrap-up.
- **17:30** Departure.

## What to bring

Participants brought a photo ID matching their registration, comfortable closed-toe shoes and a light layer for the cooler machine-room aisles. Photography was restricted to the visitor areas.

## Highlights

The group was especially interested in how the centre allocates GPU hours fairly between long-standing simulation users and fast-growing AI projects. The operations team explained how they balance large training runs against shorter scientific jobs, and why fast storage for checkpoints became a priority almost overnight.

The cooling plant visit was another favourite. Seeing warm water leave the machine room and head towards nearby buildings made the idea of heat reuse feel very concrete.

## Thank you

Many thanks to our hosts for their time and openness, and to everyone who joined us. A write-up of the French national AI strategy, inspired in part by conversations on this trip, is available on the Northlight blog.
""",
        "timezone": "Europe/Paris",
        "starts_in_days": -60,
        "start_time": "09:30",
        "duration_hours": 8,
        "venue": "Centre de Calcul du Plateau",
        "city": "Orsay",
        "country": "France",
        "capacity": 20,
        "waitlist": False,
        "what_to_bring": (
            "A photo ID matching your registration, comfortable closed-toe "
            "shoes and a light extra layer for the machine rooms."
        ),
    },
]
