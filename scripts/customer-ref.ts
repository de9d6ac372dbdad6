// Prints the visibility query that finds a customer's orders in the Temporal Web UI or CLI: CustomerId holds a
// keyed hash of the customer id (lib/codec/customer-ref.ts). Reads CUSTOMER_REF_KEY, else the local stack's key.
//   npm run customer-ref -- <customerId>
import { customerSearchValue } from '../lib/codec/customer-ref';
import { localCustomerRefKey } from '../lib/codec/dev-keys';

const customerId = process.argv[2];
if (!customerId) {
  process.stderr.write('usage: npm run customer-ref -- <customerId>\n');
  process.exit(2);
}
process.stdout.write(`CustomerId = "${customerSearchValue(customerId, localCustomerRefKey())}"\n`);
