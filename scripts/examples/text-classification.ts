// npx tsx scripts/examples/text-classification.ts
// Writes examples/text-classification/tasks.jsonl: support tickets to label, as one sequential
// stream (the first 200 are the search split, the rest the test split; labels interleaved).
// Texts come from hand-written templates per label and slot fillers, with a fixed seed.
//
// The templates are written for the offline model's rules (lib/offline/RULES.md, Rule 1):
// - only some tickets use the words of their label's name, so a harness that shows no examples
//   (label names are all the model has) gets a minority right;
// - tickets of one label share topic words across templates, so a harness that remembers the
//   labelled tickets it was told about (learn()) and shows the closest ones gets most right.
// Run it with --check to print what those harness styles score on the search split.
import path from "node:path";
import { answer } from "../../lib/offline/rules.ts";
import { overlap, words } from "../../lib/offline/prompt.ts";
import { fill, seededRandom, writeTasks, type TaskRecord } from "./random.ts";

const SEED = 20260418;
const PER_LABEL = 20;
const SEARCH_TASKS = 200;
const OUT_DIR = path.join(import.meta.dirname, "..", "..", "examples", "text-classification");

/** Label → ticket templates. {slots} are filled from SLOTS. */
export const TEMPLATES: Record<string, string[]> = {
  billing: [
    "I was charged twice this month for the same order.",
    "My card was charged {amount} but the price on your site is lower.",
    "There is a billing error on my card statement for {month}.",
    "Why does my card statement show two charges in {month}?",
    "My statement shows a charge of {amount} I do not recognise.",
    "You charged my card twice for order {order}.",
    "Please explain the extra charge of {amount} on my card statement.",
    "My billing total is wrong, my card was charged twice.",
  ],
  refund: [
    "I returned the {product} {days} ago and still have not received my money back.",
    "When will I get my money back for the returned {product}?",
    "Please refund order {order}, I returned the {product} last week.",
    "I sent the {product} back, when does the money return to my bank?",
    "You promised my money back within five days of the return.",
    "Can I get my money back? The return of the {product} was accepted {days} ago.",
    "The return was accepted but the refund has not reached my bank yet.",
  ],
  password_reset: [
    "I forgot my password and cannot sign in.",
    "The link in your email has expired, please send a new login link.",
    "How do I set a new password on my {device}?",
    "I never receive the email with the link to recover my login.",
    "The reset page says my email is unknown, I forgot my login.",
    "Please email me a link to choose a new login.",
    "I forgot my login details, please send a recovery link to my email.",
  ],
  shipping_delay: [
    "My parcel for order {order} should have arrived on {weekday} and is still not here.",
    "Tracking for my parcel has not moved in {days}.",
    "Why is shipping so slow? My parcel is {days} late.",
    "The courier says my parcel has been in transit for {days}.",
    "My parcel is late and the tracking shows no movement since {weekday}.",
    "The delivery date passed {days} ago and the tracking still says in transit.",
    "Still waiting for my parcel, the courier tracking page has no news for {days}.",
  ],
  damaged_item: [
    "The {product} arrived broken, the casing is cracked and scratched.",
    "My {product} arrived damaged, the box was crushed.",
    "The box was crushed and the {product} inside is broken.",
    "The {product} arrived cracked and scratched on one side.",
    "The glass on the {product} was cracked and broken when I opened the box.",
    "I received a {product} with a dent and a cracked corner, the box was crushed.",
  ],
  wrong_item: [
    "I ordered a {product} but you sent a {product2} instead.",
    "You sent me a different size of the {product} than I ordered.",
    "The box contained someone else's order instead of the {product} I ordered.",
    "This is the wrong {product2}, I ordered a {product}.",
    "I ordered a {colour} {product} but you sent a different colour instead.",
    "The {product} you sent is a different model from the one I ordered.",
  ],
  cancel_subscription: [
    "Please cancel my membership before the next renewal.",
    "How do I stop my {tier} membership from renewing every month?",
    "I want to end my membership and stop the monthly renewal.",
    "Stop the automatic renewal of my {tier} membership.",
    "I do not want my membership to renew in {month}, please stop it.",
    "Turn off the monthly renewal on my {tier} subscription please.",
  ],
  change_address: [
    "I moved and need a new delivery address for order {order}.",
    "Please deliver order {order} to my new home in {city} instead.",
    "I moved to {city}, can the delivery go to my new street?",
    "The street name in my delivery address is misspelled.",
    "I entered my old postcode for the delivery, my new home is in {city}.",
    "Deliver my order to my new street in {city} instead of my old home.",
  ],
  invoice_request: [
    "I need an invoice with our company name for order {order}.",
    "Can you send a VAT receipt for my purchase in {month}?",
    "Our accountant needs a VAT receipt with our company tax number.",
    "Please email me a receipt with the company name and VAT number.",
    "Where can I download the VAT receipts for my company purchases?",
    "Our company needs a receipt with the VAT number for {month}.",
  ],
  app_crash: [
    "The app crashes every time I open it on my {device}.",
    "The application closes by itself since the latest version on my {device}.",
    "The application freezes and closes when I tap the checkout button.",
    "Since the new version the application shows a blank screen and closes.",
    "On my {device} the application crashes on start.",
    "The application crashes on my {device} when I upload a photo.",
  ],
  feature_request: [
    "It would be great to have a dark mode in the dashboard.",
    "Please add an option to sort orders by price in the dashboard.",
    "Could you add an option to share wishlists with friends?",
    "I would love a calendar view in the dashboard.",
    "Suggestion: an option to schedule deliveries for weekends would be great.",
    "Suggestion: it would be great to add more languages to the dashboard.",
    "A feature idea: an option to print the dashboard.",
  ],
  account_locked: [
    "My account is locked after too many attempts.",
    "I am blocked after too many attempts, it says suspended for security.",
    "Your security system blocked me after I travelled to {city}.",
    "It says my access has been suspended for security reasons.",
    "I am blocked and the unlock email never comes.",
    "Access was blocked after too many attempts, please unlock it.",
  ],
  upgrade_plan: [
    "I want to move my team to the {tier} tier.",
    "How do I move from the Basic tier to {tier} for my team?",
    "What does it cost to move my team to a bigger tier?",
    "Can I upgrade mid month and pay the difference for the {tier} tier?",
    "We need more seats for our team, please move us to a bigger tier.",
    "Is there a bigger tier with more storage and seats for my team?",
  ],
  data_export: [
    "How can I download a copy of all my history?",
    "I need a copy of my order history as a CSV file.",
    "Please send everything you store about me as a download file.",
    "Is there a way to download my purchase history as a spreadsheet file?",
    "I want a full archive of my history as a download.",
    "The data export button does nothing, I need a copy of my history.",
  ],
  delete_account: [
    "Please erase my profile and all my details permanently.",
    "I want you to erase my profile permanently.",
    "Remove my profile permanently, I no longer use the service.",
    "How do I remove my profile for good and erase my details?",
    "Erase everything about me, I am leaving the service for good.",
    "Under GDPR I ask you to delete my details and remove my profile.",
  ],
  promo_code: [
    "My discount coupon {coupon} is not accepted at checkout.",
    "The discount {coupon} from your newsletter says it has expired at checkout.",
    "I forgot to apply my coupon {coupon}, can you add the discount?",
    "The voucher {coupon} gives an error at checkout.",
    "Why does the discount not apply at checkout for sale products?",
    "Your newsletter offered {percent} percent discount but it is missing at checkout.",
    "My promo code {coupon} does not work.",
  ],
};

/** The labels in the order the tasks list them (and a harness shows them). */
export const LABELS = Object.keys(TEMPLATES);

const SLOTS: Record<string, readonly string[]> = {
  tier: ["Premium", "Family", "Pro", "Business", "Plus"],
  amount: ["$12.99", "$49", "$7.50", "$120", "$19.99", "$64"],
  month: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"],
  product: [
    "blender",
    "headphones",
    "backpack",
    "desk lamp",
    "kettle",
    "keyboard",
    "toaster",
    "phone case",
    "rain jacket",
    "coffee grinder",
  ],
  product2: [
    "blender",
    "headphones",
    "backpack",
    "desk lamp",
    "kettle",
    "keyboard",
    "toaster",
    "phone case",
    "rain jacket",
    "coffee grinder",
  ],
  days: ["three days", "a week", "ten days", "two weeks", "five days"],
  order: [],
  device: ["iPhone", "Android phone", "tablet", "laptop", "Pixel"],
  weekday: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
  city: ["Leeds", "Lyon", "Porto", "Dublin", "Graz", "Austin"],
  colour: ["black", "white", "blue", "green", "red"],
  coupon: ["SAVE20", "WELCOME10", "SPRING15", "FREESHIP", "VIP25"],
  percent: ["10", "15", "20", "25"],
};

/** Greetings and sign-offs people add; they share words across labels, as real tickets do. */
const OPENERS = ["", "", "", "", "Hi,", "Hello,", "Hi there,", "Urgent:"];
const CLOSERS = ["", "", "", "", "Thanks.", "Please help.", "Thank you!", "Regards, {first}"];
const FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas"];

function ticket(random: ReturnType<typeof seededRandom>, template: string): string {
  const product = random.pick(SLOTS.product);
  const slots: Record<string, string> = {};
  for (const [name, values] of Object.entries(SLOTS)) if (values.length) slots[name] = random.pick(values);
  slots.product = product;
  slots.product2 = random.pick(SLOTS.product2.filter((other) => other !== product));
  slots.order = String(random.int(10000, 99999));
  slots.first = random.pick(FIRST_NAMES);
  const parts = [random.pick(OPENERS), fill(template, slots), fill(random.pick(CLOSERS), slots)];
  return parts.filter((part) => part !== "").join(" ");
}

export function generate(): TaskRecord[] {
  const random = seededRandom(SEED);
  const tickets: { text: string; label: string }[] = [];
  const seen = new Set<string>();
  for (const label of LABELS) {
    // Every template is used before any is used again, so each label covers its phrasings.
    let order: string[] = [];
    let made = 0;
    while (made < PER_LABEL) {
      if (order.length === 0) order = random.shuffle(TEMPLATES[label]);
      const text = ticket(random, order.pop()!);
      if (seen.has(text)) continue;
      seen.add(text);
      tickets.push({ text, label });
      made++;
    }
  }
  return random.shuffle(tickets).map((item, index) => ({
    id: `ticket-${String(index + 1).padStart(3, "0")}`,
    input: { text: item.text, labels: LABELS },
    expected: item.label,
    split: index < SEARCH_TASKS ? "search" : "test",
  }));
}

// ── --check: what harness styles score under the offline model ───────────────────────────

const labelsLine = `Labels: ${LABELS.join(", ")}`;

/** The answer to one prompt, as one user message. */
const ask = (content: string) => answer({ messages: [{ role: "user", content }] });

/** Accuracy of three harness styles on the search stream, with the learning they would do. */
export function simulate(tasks: TaskRecord[], shown = 8): { plain: number; bare: number; bareWithExamples: number } {
  const stream = tasks.filter((task) => task.split === "search");
  const memory: { text: string; label: string }[] = [];
  let plain = 0;
  let bare = 0;
  let bareWithExamples = 0;
  for (const task of stream) {
    const { text } = task.input as { text: string };
    const question = `${labelsLine}\nText: ${text}`;
    if (ask(`Classify this support ticket.\n${question}`) === task.expected) plain++;
    if (ask(`Classify this support ticket. Answer with only the label.\n${question}`) === task.expected) bare++;
    const target = words(text);
    const nearest = memory
      .map((example, index) => ({ example, index, score: overlap(words(example.text), target) }))
      .sort((a, b) => a.score - b.score || a.index - b.index)
      .slice(-shown)
      .map(({ example }) => `${example.text} => ${example.label}`);
    const prompt = `Classify this support ticket. Answer with only the label.\nExamples:\n${nearest.join("\n")}\n${question}`;
    if (ask(prompt) === task.expected) bareWithExamples++;
    memory.push({ text, label: task.expected as string });
  }
  const share = (n: number) => Math.round((1000 * n) / stream.length) / 10;
  return { plain: share(plain), bare: share(bare), bareWithExamples: share(bareWithExamples) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const tasks = generate();
  if (process.argv.includes("--check")) {
    console.log(JSON.stringify(simulate(tasks)));
  } else {
    console.log(`wrote ${tasks.length} tasks to ${writeTasks(OUT_DIR, tasks)}`);
  }
}
